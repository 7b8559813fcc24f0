"""The audit trail: append-only, one row per change or external event."""

from tortoise import fields
from tortoise.models import Model


class AuditEntry(Model):
    id = fields.BigIntField(primary_key=True)
    at = fields.DatetimeField(db_index=True)
    actor = fields.CharField(max_length=200, db_index=True)
    actor_ip = fields.CharField(max_length=45, null=True)
    action = fields.CharField(max_length=100, db_index=True)
    target_type = fields.CharField(max_length=50)
    target_id = fields.CharField(max_length=100)
    # JSON as text, not JSONB: PostgreSQL's JSONB cannot hold a NUL, and a posted event is kept as sent.
    details = fields.TextField()
    # "api" for changes made through this service, "external" for events posted to POST /audit.
    source = fields.CharField(max_length=16)
    # Who wrote the row: equals actor for "api"; the posting token's subject for "external".
    recorded_by = fields.CharField(max_length=200)

    class Meta:
        table = "audit_entries"
        indexes = (("target_type", "target_id"),)

    @property
    def public_id(self) -> str:
        return f"aud_{self.id}"
