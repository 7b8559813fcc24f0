"""Report queries: thin resolvers over `service`. REST serves each as JSON or CSV (`format=`); the CDR
report's CSV is streamed by `export.cdr_csv` after this field has checked the same arguments."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from dialer.graphql.cdr.types import Cdr
from dialer.graphql.operations import query
from dialer.graphql.pagination import MAX_PAGE, Connection
from dialer.graphql.permissions import READ
from dialer.graphql.reports import service
from dialer.graphql.reports.types import AgentReport, CampaignReport, ProviderReport
from dialer.graphql.validation import CONSTRAINTS

_SPAN = f"at most {service.MAX_SPAN.days} days after `from`"
From = Annotated[
    datetime, strawberry.argument(name="from", description="Start, inclusive (ISO 8601; without a zone: UTC).")
]
To = Annotated[datetime, strawberry.argument(description=f"End, exclusive: after `from`, {_SPAN}.")]


def _text(length: int, description: str, **more: object) -> object:
    return strawberry.argument(description=description, metadata={CONSTRAINTS: {"maxLength": length, **more}})


@strawberry.type
class ReportQuery:
    @query(roles=READ)
    async def cdr_report(
        self,
        info: strawberry.Info,
        from_: From,
        to: To,
        campaign_id: Annotated[str | None, _text(32, "Only this campaign's calls (cmp_1).")] = None,
        trunk_id: Annotated[str | None, _text(64, "Only calls through this trunk (gw_main).")] = None,
        agent_id: Annotated[str | None, _text(64, "Only calls bridged to this agent.")] = None,
        disposition: Annotated[
            str | None,
            strawberry.argument(
                description="Only calls whose CDR recorded this disposition.",
                metadata={CONSTRAINTS: {"enum": list(service.DISPOSITIONS)}},
            ),
        ] = None,
        amd: Annotated[
            str | None,
            strawberry.argument(
                description="Only calls with this AMD label; NONE: calls without a verdict.",
                metadata={CONSTRAINTS: {"enum": list(service.AMD_FILTER)}},
            ),
        ] = None,
        first: Annotated[
            int | None,
            strawberry.argument(
                description=f"Page size, 1-{MAX_PAGE} (default {service.PAGE}).",
                metadata={CONSTRAINTS: {"minimum": 1, "maximum": MAX_PAGE}},
            ),
        ] = None,
        after: Annotated[
            str | None,
            strawberry.argument(
                description="Cursor from the previous page's endCursor (opaque).",
                metadata={CONSTRAINTS: {"pattern": service.CURSOR}},
            ),
        ] = None,
    ) -> Connection[Cdr]:
        """Raw CDRs that ended in [from, to), oldest first, every filter combined (docs/reports.md)."""
        arguments = {
            "from": from_,
            "to": to,
            "campaignId": campaign_id,
            "trunkId": trunk_id,
            "agentId": agent_id,
            "disposition": disposition,
            "amd": amd,
        }
        return await service.cdr_page(service.cdr_filter(arguments), first, after, Cdr.of)

    @query(roles=READ)
    async def campaign_report(self, info: strawberry.Info, from_: From, to: To) -> CampaignReport:
        """Per campaign, its calls that ended in [from, to): calls, connects, ASR, ACD, abandon rate, contact rate."""
        period = service.period(from_, to)
        return CampaignReport(from_=period.since, to=period.until, items=await service.campaigns(period))

    @query(roles=READ)
    async def provider_report(self, info: strawberry.Info, from_: From, to: To) -> ProviderReport:
        """Per trunk, its calls that ended in [from, to): ASR, ACD, PDD, SIP statuses, SIT and fax shares."""
        period = service.period(from_, to)
        return ProviderReport(from_=period.since, to=period.until, items=await service.providers(period))

    @query(roles=READ)
    async def agent_report(self, info: strawberry.Info, from_: From, to: To) -> AgentReport:
        """Per agent, over [from, to): calls handled, AHT, talk, wrap-up and idle time, occupancy."""
        period = service.period(from_, to)
        return AgentReport(from_=period.since, to=period.until, items=await service.agents(period))
