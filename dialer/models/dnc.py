"""Do-not-call numbers, matched on E.164: global, or for one campaign."""

from tortoise import fields
from tortoise.models import Model

GLOBAL = "global"


class DncNumber(Model):
    id = fields.BigIntField(primary_key=True)
    phone = fields.CharField(max_length=16)
    # "global", or the campaign's public id (cmp_7). A string, not a nullable key, so that
    # (phone, scope) is unique on PostgreSQL too (NULLs never collide there).
    scope = fields.CharField(max_length=32)
    reason = fields.CharField(max_length=200, null=True)
    created_by = fields.CharField(max_length=200)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "dnc_numbers"
        unique_together = (("phone", "scope"),)
