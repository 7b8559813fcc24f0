"""Subscriptions to the live messages, read from the broadcaster channels /ws reads: kpi.tick,
call.update, agent.update and queue.update, each exactly as the contract shows it (a JSON object,
since the contract's shapes are the API here)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated, Any

import orjson
import strawberry
from strawberry.scalars import JSON

from dialer.graphql.operations import authorize
from dialer.graphql.permissions import READ, Role
from dialer.graphql.validation import CONSTRAINTS

LIVE = READ | {Role.agent}
Id = Annotated[str | None, strawberry.argument(metadata={CONSTRAINTS: {"maxLength": 64}})]


async def _stream(info: strawberry.Info, field: str, channel: str, keep: Any) -> AsyncGenerator[JSON, None]:
    authorize(info.context, LIVE, field)
    async with info.context.subscribe(channel) as events:
        async for event in events:
            if event is None:
                continue
            message = orjson.loads(event.message)
            if keep(message):
                yield message


@strawberry.type
class LiveSubscription:
    @strawberry.subscription(description="kpi.tick every second per active scope; filter by scope and id.")
    async def kpi_ticks(self, info: strawberry.Info, scope: Id = None, id: Id = None) -> AsyncGenerator[JSON, None]:
        def keep(m: dict[str, Any]) -> bool:
            return (scope is None or m.get("scope") == scope) and (id is None or m.get("id") == id)

        async for message in _stream(info, "kpiTicks", "kpi", keep):
            yield message

    @strawberry.subscription(description="call.update on every state change of the dialer's calls.")
    async def call_updates(self, info: strawberry.Info, campaign_id: Id = None) -> AsyncGenerator[JSON, None]:
        async for message in _stream(
            info, "callUpdates", "calls", lambda m: campaign_id is None or m.get("campaignId") == campaign_id
        ):
            yield message

    @strawberry.subscription(description="agent.update on every agent status change.")
    async def agent_updates(self, info: strawberry.Info, agent_id: Id = None) -> AsyncGenerator[JSON, None]:
        async for message in _stream(
            info, "agentUpdates", "agents", lambda m: agent_id is None or m.get("agentId") == agent_id
        ):
            yield message

    @strawberry.subscription(description="queue.update when a queue's callers or service level change.")
    async def queue_updates(self, info: strawberry.Info, queue: Id = None) -> AsyncGenerator[JSON, None]:
        async for message in _stream(
            info, "queueUpdates", "queues", lambda m: queue is None or m.get("queue") == queue
        ):
            yield message
