"""Campaigns: what to dial (a list), where to send humans (a queue), how (pacing, trunks, AMD)."""

from tortoise import fields
from tortoise.models import Model


class Campaign(Model):
    id = fields.BigIntField(primary_key=True)
    name = fields.CharField(max_length=200)
    type = fields.CharField(max_length=16)
    list_id = fields.CharField(max_length=100)
    queue = fields.CharField(max_length=100)
    # {"weights": {trunk: number}, "caps": {trunk: int}}: maps keyed by trunk id, read whole.
    trunk_policy: dict = fields.JSONField()
    pacing = fields.FloatField()
    max_channels = fields.IntField()
    abandon_cap = fields.FloatField()
    amd: dict = fields.JSONField()
    predictive: dict = fields.JSONField()
    status = fields.CharField(max_length=16, db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    # The campaign's own calling window on the lead's clock ("mon-fri 09:00-18:00"); it only narrows
    # the law's (dialer.engine.windows); None: the law's alone. Last, where its migration added it.
    calling_hours = fields.CharField(max_length=200, null=True)
    # No redial of a lead within this many hours of a call of it that was abandoned; 0: off.
    drop_lockout_hours = fields.IntField(default=0, db_default=0)

    class Meta:
        table = "campaigns"

    @property
    def public_id(self) -> str:
        return f"cmp_{self.id}"


class CampaignPacing(Model):
    """What the predictive pacer learned about a campaign, kept across restarts and replica
    hand-overs: theta, the abandon risk it allows a new call, trimmed on the abandon budget."""

    campaign_id = fields.BigIntField(primary_key=True)
    theta = fields.FloatField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "campaign_pacing"
