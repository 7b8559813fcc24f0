"""Opaque API tokens: create (the secret is shown once), list, revoke, and verify.

Rotation is create-new then revoke-old, so clients switch over without downtime."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from dialer.graphql.ids import parse_id
from dialer.graphql.permissions import Principal, Role
from dialer.models import ApiToken

PREFIX = "dlr_"
_DURATION = re.compile(r"(\d+)([smhdw])")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> timedelta:
    """`90m`, `12h`, `30d`, `1d12h`, `2w`."""
    text = text.strip().lower()
    parts = _DURATION.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise ValueError(f"not a duration: {text!r} (use e.g. 90m, 12h, 30d, 1d12h)")
    seconds = sum(int(n) * _UNIT[u] for n, u in parts)
    if seconds <= 0:
        raise ValueError("a duration must be longer than 0")
    return timedelta(seconds=seconds)


def digest(secret: str) -> str:
    # The secret has 256 bits of entropy, so a plain SHA-256 is enough (no need for a slow KDF).
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    row: ApiToken
    secret: str


async def create(role: Role, name: str, expires_in: timedelta | None = None) -> IssuedToken:
    secret = PREFIX + secrets.token_urlsafe(32)
    expires_at = datetime.now(UTC) + expires_in if expires_in else None
    row = await ApiToken.create(
        name=name, role=role.value, token_hash=digest(secret), prefix=secret[:10], expires_at=expires_at
    )
    return IssuedToken(row, secret)


async def listing() -> list[ApiToken]:
    return await ApiToken.all().order_by("id")


async def revoke(public_id: str) -> ApiToken:
    row = await ApiToken.get_or_none(id=parse_id("tok", public_id, "token"))
    if row is None:
        raise LookupError(f"token {public_id!r} not found")
    if row.revoked_at is None:
        row.revoked_at = datetime.now(UTC)
        await row.save(update_fields=["revoked_at"])
    return row


async def active_count() -> int:
    now = datetime.now(UTC)
    return await ApiToken.filter(revoked_at=None).exclude(expires_at__lte=now).count()


async def verify(secret: str) -> Principal:
    """The principal behind an opaque token, or ValueError saying why it is refused."""
    row = await ApiToken.get_or_none(token_hash=digest(secret))
    if row is None:
        raise ValueError("unknown token")
    if row.revoked_at is not None:
        raise ValueError("token revoked")
    if row.expires_at is not None and row.expires_at <= datetime.now(UTC):
        raise ValueError("token expired")
    return Principal(subject=row.name, role=Role(row.role), token_id=row.public_id)


def state_of(row: ApiToken, now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    if row.revoked_at is not None:
        return "revoked"
    if row.expires_at is not None and row.expires_at <= now:
        return "expired"
    return "active"
