"""What the reports read besides the CDRs: each agent's status history.

One row per change of an agent's combined status (the agent board's: Available, On Call, Wrapup,
On Break, Logged Out), written by the running service as the board sees mod_callcenter's events. A
status lasts from its row's `at` to the agent's next row; the agent report adds those spans up."""

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model


class AgentStatusChange(Model):
    id = fields.BigIntField(primary_key=True)
    agent = fields.CharField(max_length=64)
    status = fields.CharField(max_length=16)
    at = fields.DatetimeField()

    class Meta:
        table = "agent_status_changes"
        indexes = (
            Index(fields=("agent", "at"), name="idx_agent_status_agent_at"),
            # Covers a period's changes for the agent report (an index-only scan on PostgreSQL).
            Index(fields=("at", "agent", "status", "id"), name="idx_agent_status_at"),
        )
