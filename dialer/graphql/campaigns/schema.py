"""Campaign queries and mutations: thin resolvers over `service`."""

from __future__ import annotations

from typing import Annotated

import strawberry

from dialer.graphql.campaigns import service
from dialer.graphql.campaigns.types import (
    Campaign,
    CampaignCreateInput,
    CampaignPatchInput,
    CampaignRuntime,
    CampaignStatus,
)
from dialer.graphql.operations import mutation, query
from dialer.graphql.pagination import CURSOR, MAX_PAGE, Connection
from dialer.graphql.permissions import OPERATE, READ
from dialer.graphql.validation import CONSTRAINTS

First = Annotated[
    int | None,
    strawberry.argument(
        description="Page size, 1-500 (default 50).", metadata={CONSTRAINTS: {"minimum": 1, "maximum": MAX_PAGE}}
    ),
]
After = Annotated[
    str | None,
    strawberry.argument(
        description="Cursor from the previous page's endCursor.",
        metadata={CONSTRAINTS: {"pattern": CURSOR}},
    ),
]


@strawberry.type
class CampaignQuery:
    @query(roles=READ)
    async def campaign(self, info: strawberry.Info, id: strawberry.ID) -> Campaign:
        """One campaign by id."""
        return Campaign.of(await service.get(id))

    @query(roles=READ)
    async def campaigns(
        self,
        info: strawberry.Info,
        status: CampaignStatus | None = None,
        q: Annotated[
            str | None,
            strawberry.argument(description="Part of the name, any case.", metadata={CONSTRAINTS: {"maxLength": 200}}),
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[Campaign]:
        """Campaigns, oldest first, optionally by status and name."""
        return await service.search(status, q, first, after, Campaign.of)

    @query(roles=READ)
    async def campaign_runtime(self, info: strawberry.Info, id: strawberry.ID) -> CampaignRuntime:
        """Live figures of one campaign."""
        return await service.runtime(id, info.context.runner)


@strawberry.type
class CampaignMutation:
    @mutation(roles=OPERATE, action="campaign.create")
    async def create_campaign(self, info: strawberry.Info, input: CampaignCreateInput) -> Campaign:
        """Create a campaign; it starts paused."""
        return Campaign.of(await service.create(input, info.context, info.context.audit))

    @mutation(roles=OPERATE, action="campaign.update")
    async def update_campaign(self, info: strawberry.Info, id: strawberry.ID, input: CampaignPatchInput) -> Campaign:
        """Change some fields of a campaign (not of a stopped one)."""
        return Campaign.of(await service.update(id, input, info.context, info.context.audit))

    @mutation(roles=OPERATE, action="campaign.start")
    async def start_campaign(self, info: strawberry.Info, id: strawberry.ID) -> Campaign:
        """Start dialing a paused campaign."""
        return Campaign.of(await service.transition(id, "start", info.context, info.context.audit))

    @mutation(roles=OPERATE, action="campaign.pause")
    async def pause_campaign(self, info: strawberry.Info, id: strawberry.ID) -> Campaign:
        """Stop new calls of a running campaign; calls in flight finish."""
        return Campaign.of(await service.transition(id, "pause", info.context, info.context.audit))

    @mutation(roles=OPERATE, action="campaign.stop")
    async def stop_campaign(self, info: strawberry.Info, id: strawberry.ID) -> Campaign:
        """End a campaign for good."""
        return Campaign.of(await service.transition(id, "stop", info.context, info.context.audit))
