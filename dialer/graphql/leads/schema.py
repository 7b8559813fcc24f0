"""Queries, mutations and the subscription of lists, leads and imports."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated

import orjson
import strawberry
from strawberry.file_uploads import Upload

from dialer.graphql.campaigns.schema import After, First
from dialer.graphql.leads import service, uploads
from dialer.graphql.leads.imports import TERMINAL
from dialer.graphql.leads.types import (
    DispositionInput,
    ImportJob,
    ImportReject,
    Lead,
    LeadCounts,
    ListInput,
    RetryRuleSet,
    RetryRuleSetInput,
    retry_rule_set,
)
from dialer.graphql.operations import authorize, mutation, query
from dialer.graphql.pagination import Connection
from dialer.graphql.permissions import OPERATE, READ, Role
from dialer.graphql.validation import CONSTRAINTS
from dialer.models import LeadList as ListRow

DISPOSE = OPERATE | {Role.agent}
HISTORY_LAST = 100


@strawberry.type(name="LeadList")
class LeadListType:
    id: strawberry.ID
    name: str
    created_at: strawberry.Private[object]
    key: strawberry.Private[int]
    rules: strawberry.Private[dict]

    @strawberry.field(description="Leads by state.")
    async def lead_counts(self) -> LeadCounts:
        return await service.counts(self.key)

    @strawberry.field(description="The list's retry rules (defaults apply to dispositions they omit).")
    def retry_rules(self) -> RetryRuleSet:
        return retry_rule_set(self.rules)

    @classmethod
    def of(cls, row: ListRow) -> LeadListType:
        return cls(
            id=strawberry.ID(row.public_id), name=row.name, created_at=row.created_at, key=row.id, rules=row.retry_rules
        )


Q = Annotated[
    str | None,
    strawberry.argument(
        description="Part of a name, or 3+ digits of the phone.", metadata={CONSTRAINTS: {"maxLength": 100}}
    ),
]


@strawberry.type
class LeadQuery:
    @query(roles=READ)
    async def lead_list(self, info: strawberry.Info, id: strawberry.ID) -> LeadListType:
        """One list, with its lead counts."""
        return LeadListType.of(await service.get_list(id))

    @query(roles=READ)
    async def lead_lists(
        self, info: strawberry.Info, first: First = None, after: After = None
    ) -> Connection[LeadListType]:
        """Lists, oldest first."""
        return await service.search_lists(first, after, LeadListType.of)

    @query(roles=READ)
    async def leads(
        self, info: strawberry.Info, list_id: strawberry.ID, q: Q = None, first: First = None, after: After = None
    ) -> Connection[Lead]:
        """A list's leads in import order, optionally searched by name or phone."""
        return await service.search_leads(list_id, q, first, after, Lead.of)

    @query(roles=READ | {Role.agent})
    async def lead(self, info: strawberry.Info, id: strawberry.ID) -> Lead:
        """One lead; its `history` field lists its attempts."""
        return Lead.of(await service.get_lead(id))

    @query(roles=READ)
    async def import_job(self, info: strawberry.Info, id: strawberry.ID) -> ImportJob:
        """An import's progress and counts."""
        return ImportJob.of(await uploads.get(id))

    @query(roles=READ)
    async def import_rejects(
        self, info: strawberry.Info, id: strawberry.ID, first: First = None, after: After = None
    ) -> Connection[ImportReject]:
        """An import's rejected rows, with their row numbers and reasons."""
        return await uploads.rejects(
            id, first, after, lambda r: ImportReject(row=r.row_number, reason=r.reason, line=r.line)
        )


@strawberry.type
class LeadMutation:
    @mutation(roles=OPERATE, action="list.create")
    async def create_list(self, info: strawberry.Info, input: ListInput) -> LeadListType:
        """Create an empty lead list."""
        return LeadListType.of(await service.create_list(input.name, info.context, info.context.audit))

    @mutation(roles=OPERATE, action="list.import")
    async def import_leads(self, info: strawberry.Info, list_id: strawberry.ID, file: Upload) -> ImportJob:
        """Import a CSV into a list, as a job (see importJob and the importProgress subscription)."""
        return ImportJob.of(await uploads.start(list_id, file, info.context, info.context.audit))

    @mutation(roles=OPERATE, action="import.cancel")
    async def cancel_import(self, info: strawberry.Info, id: strawberry.ID) -> ImportJob:
        """Cancel a queued or running import; what it added is taken back."""
        return ImportJob.of(await uploads.cancel(id, info.context, info.context.audit))

    @mutation(roles=OPERATE, action="list.retry_rules")
    async def set_retry_rules(
        self, info: strawberry.Info, list_id: strawberry.ID, input: RetryRuleSetInput
    ) -> RetryRuleSet:
        """Replace a list's retry rules."""
        row = await service.set_retry_rules(list_id, input, info.context.audit)
        return retry_rule_set(row.retry_rules)

    @mutation(roles=DISPOSE, action="lead.disposition")
    async def record_disposition(self, info: strawberry.Info, lead_id: strawberry.ID, input: DispositionInput) -> Lead:
        """Record what an attempt came to; the lead moves on (retry, callback, done, dnc)."""
        return Lead.of(await service.record_disposition(lead_id, input, info.context, info.context.audit))


@strawberry.type
class LeadSubscription:
    @strawberry.subscription(description="An import's state, now and after every chunk, until it ends.")
    async def import_progress(self, info: strawberry.Info, id: strawberry.ID) -> AsyncGenerator[ImportJob, None]:
        authorize(info.context, READ, "importProgress")
        job = await uploads.get(id)
        yield ImportJob.of(job)
        if job.status in TERMINAL:
            return
        async with info.context.subscribe("jobs") as events:
            async for event in events:
                if event is None:
                    continue
                message = orjson.loads(event.message)
                if message.get("id") != job.public_id:
                    continue
                job = await uploads.get(id)
                yield ImportJob.of(job)
                if job.status in TERMINAL:
                    return
