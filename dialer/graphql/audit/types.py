"""Audit types and the input of an external audit event."""

from __future__ import annotations

import enum
from datetime import datetime

import orjson
import strawberry

from dialer.graphql.scalars import JSON
from dialer.graphql.validation import NOT_BLANK, constrained
from dialer.models import AuditEntry as AuditRow

ACTION = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$"


@strawberry.enum
class AuditSource(enum.Enum):
    api = "api"
    external = "external"


@strawberry.type
class AuditEntry:
    id: strawberry.ID
    at: datetime
    actor_id: str = strawberry.field(description="Who acted: a token's subject, or the posted actorId.")
    actor_ip: str | None
    action: str
    target_type: str
    target_id: str
    details: JSON
    source: AuditSource
    recorded_by: str = strawberry.field(description="The subject of the token that wrote the entry.")

    @classmethod
    def of(cls, row: AuditRow) -> AuditEntry:
        return cls(
            id=strawberry.ID(row.public_id),
            at=row.at,
            actor_id=row.actor,
            actor_ip=row.actor_ip,
            action=row.action,
            target_type=row.target_type,
            target_id=row.target_id,
            details=orjson.loads(row.details),
            source=AuditSource(row.source),
            recorded_by=row.recorded_by,
        )


@strawberry.input(description="An event that happened outside this service, for the audit trail.")
class AuditEventInput:
    actor_id: str = constrained(
        "Who acted, in the posting system's terms.", minLength=1, maxLength=200, pattern=NOT_BLANK
    )
    actor_ip: str | None = constrained(
        "The actor's IPv4 or IPv6 address.",
        strawberry.UNSET,
        maxLength=45,
        anyOf=[{"format": "ipv4"}, {"format": "ipv6"}],
    )
    action: str = constrained("Dotted, lower case: campaign.start.", minLength=3, maxLength=100, pattern=ACTION)
    target_type: str = constrained(
        "What was acted on: campaign, lead, agent...", minLength=1, maxLength=50, pattern=NOT_BLANK
    )
    target_id: str = constrained("Its id.", minLength=1, maxLength=100, pattern=NOT_BLANK)
    details: JSON | None = constrained("An object, at most 16 KiB as JSON.", strawberry.UNSET, type="object")
