"""Queue, agent and tier queries and mutations: thin resolvers over `service`."""

from __future__ import annotations

from typing import Annotated

import strawberry

from dialer.graphql.callcenter import service
from dialer.graphql.callcenter.types import (
    NAME,
    Agent,
    AgentInput,
    AgentStateInput,
    Queue,
    QueueInput,
    Tier,
    TierInput,
)
from dialer.graphql.campaigns.schema import After, First
from dialer.graphql.operations import mutation, query
from dialer.graphql.pagination import Connection, paginate
from dialer.graphql.permissions import OPERATE, READ, Role
from dialer.graphql.validation import CONSTRAINTS
from dialer.models import Agent as AgentRow
from dialer.models import Queue as QueueRow

Name = Annotated[str, strawberry.argument(description="The mod_callcenter name.", metadata={CONSTRAINTS: NAME})]


@strawberry.type
class CallcenterQuery:
    @query(roles=READ)
    async def queues(self, info: strawberry.Info, first: First = None, after: After = None) -> Connection[Queue]:
        """Queues, oldest first."""
        return await paginate(QueueRow.all(), first, after, Queue.of)

    @query(roles=READ)
    async def queue(self, info: strawberry.Info, name: Name) -> Queue:
        """One queue by name."""
        return Queue.of(await service.get_queue(name))

    @query(roles=READ)
    async def queue_tiers(self, info: strawberry.Info, name: Name) -> list[Tier]:
        """The queue's agents by level and position."""
        return [
            Tier(queue=q, agent=a, level=level, position=pos) for q, a, level, pos in await service.tiers_of_queue(name)
        ]

    @query(roles=READ | {Role.agent})
    async def agents(self, info: strawberry.Info, first: First = None, after: After = None) -> Connection[Agent]:
        """Agents, oldest first, with what each is doing now."""
        board = info.context.switchboard
        return await paginate(AgentRow.all(), first, after, lambda row: Agent.of(row, board.agent_status(row.name)))

    @query(roles=READ | {Role.agent})
    async def agent(self, info: strawberry.Info, name: Name) -> Agent:
        """One agent by name."""
        row = await service.get_agent(name)
        return Agent.of(row, info.context.switchboard.agent_status(row.name))


@strawberry.type
class CallcenterMutation:
    @mutation(roles=OPERATE, action="queue.create")
    async def create_queue(self, info: strawberry.Info, input: QueueInput) -> Queue:
        """Create a queue; every FreeSWITCH node loads it."""
        return Queue.of(await service.create_queue(input, info.context, info.context.audit))

    @mutation(roles=OPERATE, action="agent.create")
    async def create_agent(self, info: strawberry.Info, input: AgentInput) -> Agent:
        """Create an agent (Logged Out); every node gets it."""
        row = await service.create_agent(input, info.context, info.context.audit)
        return Agent.of(row, info.context.switchboard.agent_status(row.name))

    @mutation(roles=OPERATE | {Role.agent}, action="agent.status")
    async def set_agent_state(self, info: strawberry.Info, name: Name, input: AgentStateInput) -> Agent:
        """Set an agent's status (Available, Logged Out, On Break, Wrapup) on every node."""
        row = await service.set_agent_status(name, input.status, info.context, info.context.audit)
        return Agent.of(row, info.context.switchboard.agent_status(row.name))

    @mutation(roles=OPERATE, action="queue.tier.add")
    async def add_tier(self, info: strawberry.Info, queue: Name, input: TierInput) -> Tier:
        """Put an agent in a queue at a level and position."""
        row = await service.add_tier(queue, input, info.context, info.context.audit)
        return Tier(queue=queue, agent=input.agent, level=row.level, position=row.position)
