"""Opaque API tokens. Only a SHA-256 of the secret is stored; the secret is shown once at creation."""

from tortoise import fields
from tortoise.models import Model


class ApiToken(Model):
    id = fields.BigIntField(primary_key=True)
    name = fields.CharField(max_length=100)
    role = fields.CharField(max_length=16)
    token_hash = fields.CharField(max_length=64, unique=True)
    # The first characters of the secret, so an operator can tell tokens apart in `dialer token list`.
    prefix = fields.CharField(max_length=16)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "api_tokens"

    @property
    def public_id(self) -> str:
        return f"tok_{self.id}"
