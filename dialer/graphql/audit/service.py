"""Reading the audit trail and recording external events. Nothing here updates or deletes."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime

import orjson
from strawberry import UNSET

from dialer.graphql.audit.types import AuditEventInput
from dialer.graphql.context import Context
from dialer.graphql.errors import BadRequest
from dialer.graphql.pagination import Connection, paginate
from dialer.models import AuditEntry as AuditRow

MAX_DETAILS = 16 * 1024


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def search(
    *,
    since: datetime | None,
    until: datetime | None,
    actor: str | None,
    action: str | None,
    target_type: str | None,
    target_id: str | None,
    first: int | None,
    after: str | None,
    convert,
) -> Connection:
    rows = AuditRow.all()
    # from >= to is an empty window, answered with no entries rather than an error.
    if since:
        rows = rows.filter(at__gte=_aware(since))
    if until:
        rows = rows.filter(at__lt=_aware(until))
    for column, value in (("actor", actor), ("action", action), ("target_type", target_type), ("target_id", target_id)):
        if value is not None:
            rows = rows.filter(**{column: value})
    return await paginate(rows, first, after, convert, newest_first=True)


async def record_external(event: AuditEventInput, context: Context) -> AuditRow:
    problems: dict[str, str] = {}
    actor_ip = None if event.actor_ip is UNSET else event.actor_ip
    if actor_ip is not None:
        try:
            actor_ip = str(ipaddress.ip_address(actor_ip))
        except ValueError:
            problems["actorIp"] = "must be an IPv4 or IPv6 address"
    details = {} if event.details is UNSET else event.details
    encoded = orjson.dumps(details)
    if not isinstance(details, dict):
        problems["details"] = "must be an object"
    elif len(encoded) > MAX_DETAILS:
        problems["details"] = f"must be at most {MAX_DETAILS} bytes as JSON"
    if problems:
        raise BadRequest.fields(problems)
    return await AuditRow.create(
        at=datetime.now(UTC),
        actor=event.actor_id,
        actor_ip=actor_ip,
        action=event.action,
        target_type=event.target_type,
        target_id=event.target_id,
        details=encoded.decode(),
        source="external",
        recorded_by=context.actor.subject,
    )
