"""Which replica dials a campaign: one lease row per running campaign, renewed by its holder.

A lease, not a PostgreSQL advisory lock, because it works the same on SQLite and needs no
connection held open for the campaign's life; a replica that dies stops renewing, and another takes
the campaign over once `expires_at` has passed. Key 0 (no campaign has it) is the live lease: which
replica publishes the live messages (dialer.app.leader)."""

from tortoise import fields
from tortoise.models import Model


class CampaignLease(Model):
    campaign_id = fields.BigIntField(primary_key=True)
    owner = fields.CharField(max_length=128)
    expires_at = fields.DatetimeField()

    class Meta:
        table = "campaign_leases"
