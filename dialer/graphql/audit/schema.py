"""Audit queries and the external-event mutation."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from dialer.graphql.audit import service
from dialer.graphql.audit.types import AuditEntry, AuditEventInput
from dialer.graphql.campaigns.schema import After, First
from dialer.graphql.operations import mutation, query
from dialer.graphql.pagination import Connection
from dialer.graphql.permissions import AUDIT_READ, AUDIT_WRITE
from dialer.graphql.validation import Text


@strawberry.type
class AuditQuery:
    @query(roles=AUDIT_READ)
    async def audit_entries(
        self,
        info: strawberry.Info,
        from_: Annotated[datetime | None, strawberry.argument(name="from", description="Inclusive.")] = None,
        to: Annotated[datetime | None, strawberry.argument(description="Exclusive.")] = None,
        actor: Text[200] = None,
        action: Text[100] = None,
        target_type: Text[50] = None,
        target_id: Text[100] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[AuditEntry]:
        """Audit entries, newest first; every filter is an exact match."""
        return await service.search(
            since=from_,
            until=to,
            actor=actor,
            action=action,
            target_type=target_type,
            target_id=target_id,
            first=first,
            after=after,
            convert=AuditEntry.of,
        )


@strawberry.type
class AuditMutation:
    @mutation(roles=AUDIT_WRITE, action=None)
    async def record_audit_event(self, info: strawberry.Info, input: AuditEventInput) -> AuditEntry:
        """Record an event from another system; the entry is its own audit record."""
        return AuditEntry.of(await service.record_external(input, info.context))
