"""Do-not-call queries and mutations."""

from __future__ import annotations

from typing import Annotated

import strawberry

from dialer.graphql.campaigns.schema import After, First
from dialer.graphql.dnc import service
from dialer.graphql.dnc.types import (
    CAMPAIGN_ID,
    PHONE,
    DncBulkInput,
    DncBulkResult,
    DncCheck,
    DncEntry,
    DncInput,
    DncRemoval,
)
from dialer.graphql.operations import mutation, query
from dialer.graphql.pagination import Connection
from dialer.graphql.permissions import OPERATE, READ, Role
from dialer.graphql.validation import CONSTRAINTS

CampaignArg = Annotated[
    str | None,
    strawberry.argument(
        description="A campaign's own list; omit for the global one.", metadata={CONSTRAINTS: CAMPAIGN_ID}
    ),
]
PhoneArg = Annotated[
    str, strawberry.argument(description="Any format; matched as E.164.", metadata={CONSTRAINTS: PHONE})
]


def _unset(value: object) -> object:
    return None if value is strawberry.UNSET else value


@strawberry.type
class DncQuery:
    @query(roles=READ)
    async def dnc_numbers(
        self, info: strawberry.Info, campaign_id: CampaignArg = None, first: First = None, after: After = None
    ) -> Connection[DncEntry]:
        """The global do-not-call list, or one campaign's, oldest first."""
        return await service.search(campaign_id, first, after, DncEntry.of)

    @query(roles=READ | {Role.agent, Role.integration})
    async def dnc_check(self, info: strawberry.Info, phone: PhoneArg, campaign_id: CampaignArg = None) -> DncCheck:
        """Whether a number may be called (globally, and for a campaign)."""
        e164, on_global, on_campaign = await service.check(phone, campaign_id, info.context)
        return DncCheck(phone=e164, blocked=on_global or on_campaign, global_=on_global, campaign=on_campaign)


@strawberry.type
class DncMutation:
    @mutation(roles=OPERATE, action="dnc.add")
    async def add_dnc(self, info: strawberry.Info, input: DncInput) -> DncEntry:
        """Add a number; a global entry also marks that number's leads dnc."""
        row = await service.add(input.phone, _unset(input.campaign_id), _unset(input.reason), info.context)
        info.context.audit.target("dnc", row.phone, scope=row.scope)
        return DncEntry.of(row)

    @mutation(roles=OPERATE, action="dnc.bulk_add")
    async def add_dnc_bulk(self, info: strawberry.Info, input: DncBulkInput) -> DncBulkResult:
        """Add up to 10,000 numbers at once."""
        result = await service.add_many(input.phones, _unset(input.campaign_id), _unset(input.reason), info.context)
        info.context.audit.target(
            "dnc", _unset(input.campaign_id) or "global", added=result["added"], invalid=len(result["invalid"])
        )
        return DncBulkResult(**result)

    @mutation(roles=OPERATE, action="dnc.remove")
    async def remove_dnc(self, info: strawberry.Info, phone: PhoneArg, campaign_id: CampaignArg = None) -> DncRemoval:
        """Remove a number from the global list or a campaign's; leads already marked dnc stay so."""
        e164, removed = await service.remove(phone, campaign_id, info.context)
        info.context.audit.target("dnc", e164, scope=campaign_id or "global", removed=removed)
        return DncRemoval(phone=e164, removed=removed)
