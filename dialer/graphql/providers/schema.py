"""Provider queries and mutations: thin resolvers over `service` and the switchboard's probe."""

from __future__ import annotations

from typing import Annotated

import strawberry

from dialer.graphql.campaigns.schema import After, First
from dialer.graphql.dnc.service import e164 as to_e164
from dialer.graphql.errors import Conflict
from dialer.graphql.operations import mutation, query
from dialer.graphql.pagination import Connection, paginate
from dialer.graphql.permissions import OPERATE, READ
from dialer.graphql.providers import service
from dialer.graphql.providers.types import (
    NAME,
    ProbeInput,
    ProbeResult,
    Provider,
    ProviderHealthList,
    ProviderInput,
    ProviderPatch,
)
from dialer.graphql.validation import CONSTRAINTS
from dialer.models import Provider as ProviderRow

ProviderId = Annotated[
    strawberry.ID, strawberry.argument(description="The gateway name (gw_main).", metadata={CONSTRAINTS: NAME})
]


@strawberry.type
class ProviderQuery:
    @query(roles=READ)
    async def providers(self, info: strawberry.Info, first: First = None, after: After = None) -> Connection[Provider]:
        """Providers (trunks), oldest first."""
        return await paginate(ProviderRow.all(), first, after, Provider.of)

    @query(roles=READ)
    async def provider(self, info: strawberry.Info, id: ProviderId) -> Provider:
        """One provider by id (its gateway name)."""
        return Provider.of(await service.get(id))

    @query(roles=READ)
    async def provider_health(self, info: strawberry.Info) -> ProviderHealthList:
        """Every provider's ASR, PDD, CPS, SIP codes, SIT and fax shares from the last 5 minutes of calls."""
        return ProviderHealthList(items=await service.health(info.context))


@strawberry.type
class ProviderMutation:
    @mutation(roles=OPERATE, action="provider.create")
    async def create_provider(self, info: strawberry.Info, input: ProviderInput) -> Provider:
        """Add a trunk (a sofia gateway of that name; the FreeSWITCH guide has its config)."""
        return Provider.of(await service.create(input, info.context, info.context.audit))

    @mutation(roles=OPERATE, action="provider.update")
    async def update_provider(self, info: strawberry.Info, id: ProviderId, input: ProviderPatch) -> Provider:
        """Change a trunk; only the fields given."""
        return Provider.of(await service.update(id, input, info.context, info.context.audit))

    @mutation(roles=OPERATE, action="provider.probe", in_transaction=False)
    async def probe_provider(self, info: strawberry.Info, id: ProviderId, input: ProbeInput) -> ProbeResult:
        """Originate a test call through the trunk and report what happened."""
        row = await service.get(id)
        e164 = to_e164(info.context.phones, input.number, "number")
        if not row.enabled:
            raise Conflict(f"provider {id!r} is disabled; enable it to probe it", {"enabled": False})
        outcome = await info.context.switchboard.probe(row.name, e164, input.timeout_sec)
        info.context.audit.target("provider", row.name, number=e164, **outcome)
        return ProbeResult(id=strawberry.ID(row.name), number=e164, **outcome)
