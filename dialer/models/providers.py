"""SIP trunks (sofia gateways). The name is the gateway's name and the trunk's public id (`gw_main`),
as campaigns' trunk policies and CDRs' trunk_id use it."""

from tortoise import fields
from tortoise.models import Model


class Provider(Model):
    id = fields.BigIntField(primary_key=True)
    name = fields.CharField(max_length=64, unique=True)
    host = fields.CharField(max_length=255)
    codecs: list = fields.JSONField()
    # The carrier's route class as the operator labels it (CLI, non-CLI, premium...).
    route = fields.CharField(max_length=32)
    max_cps = fields.IntField()
    enabled = fields.BooleanField()
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "providers"


class ProviderShare(Model):
    """What the replicas share about a trunk (dialer.app.trunk_share): its CPS token bucket, so the
    provider's maxCps holds across every replica and campaign whichever dials, and how long the
    trunk is backed off after a replica found it failing. Times are Unix seconds."""

    name = fields.CharField(max_length=64, primary_key=True)
    tokens = fields.FloatField()
    refilled_at = fields.FloatField()
    backed_off_until = fields.FloatField(default=0.0)

    class Meta:
        table = "provider_shares"
