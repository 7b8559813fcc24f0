"""Lead lists, their leads, and each lead's attempts.

Leads are stored the way the hopper reads them: `dialable`, `priority` (callbacks, then retries,
then new) and `next_attempt_at` are kept up to date on every write, so "the next N dialable leads
of a list at time T" is one range scan of `idx_leads_hopper`."""

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model


class LeadList(Model):
    id = fields.BigIntField(primary_key=True)
    name = fields.CharField(max_length=200)
    # {"NOANSWER": {"cooldownMin": 30, "maxAttempts": 4}, "CALLBACK": {"scheduledAt": "..."}}
    retry_rules: dict = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "lead_lists"

    @property
    def public_id(self) -> str:
        return f"lst_{self.id}"


class Lead(Model):
    id = fields.BigIntField(primary_key=True)
    list: fields.ForeignKeyRelation[LeadList] = fields.ForeignKeyField(
        "models.LeadList", related_name="leads", on_delete=fields.CASCADE
    )
    phone = fields.CharField(max_length=16)
    alt_phone1 = fields.CharField(max_length=16, null=True)
    alt_phone2 = fields.CharField(max_length=16, null=True)
    first_name = fields.CharField(max_length=100, null=True)
    last_name = fields.CharField(max_length=100, null=True)
    state = fields.CharField(max_length=2, null=True)
    timezone = fields.CharField(max_length=64, null=True)
    zip = fields.CharField(max_length=10, null=True)
    notes = fields.TextField(null=True)
    status = fields.CharField(max_length=16)
    dialable = fields.BooleanField()
    priority = fields.SmallIntField()
    next_attempt_at = fields.DatetimeField(null=True)
    attempts = fields.IntField(default=0)
    attempts_by_disposition: dict = fields.JSONField(default=dict)
    last_disposition = fields.CharField(max_length=16, null=True)
    # The import that brought the lead in: tells in-file duplicates from list duplicates, and lets a
    # cancelled import take back exactly its own rows.
    import_job_id = fields.BigIntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "leads"
        unique_together = (("list", "phone"),)
        # Few indexes on purpose: every one is paid for on each imported row. A number is found
        # through (list_id, phone), list by list; an import's rows through the hopper index's list_id.
        indexes = (Index(fields=("list_id", "dialable", "priority", "next_attempt_at"), name="idx_leads_hopper"),)

    @property
    def public_id(self) -> str:
        return f"lead_{self.id}"


class LeadAttempt(Model):
    id = fields.BigIntField(primary_key=True)
    lead: fields.ForeignKeyRelation[Lead] = fields.ForeignKeyField(
        "models.Lead", related_name="history", on_delete=fields.CASCADE
    )
    campaign_id = fields.CharField(max_length=32, null=True)
    disposition = fields.CharField(max_length=16)
    notes = fields.TextField(null=True)
    scheduled_at = fields.DatetimeField(null=True)
    # "agent" for POST /leads/{id}/disposition, "cdr" once FreeSWITCH's CDRs record attempts.
    source = fields.CharField(max_length=16)
    actor = fields.CharField(max_length=200)
    at = fields.DatetimeField()

    class Meta:
        table = "lead_attempts"
        indexes = (Index(fields=("lead_id", "at"), name="idx_lead_attempts_lead"),)
