"""Queue, agent and tier operations as plain async functions under the resolvers.

Each change is written and audited (queues announced too); once committed, the switchboard pushes it to
every FreeSWITCH node (`callcenter_changed`). A node that is down gets it when it comes back. An agent's
agent.update goes out when mod_callcenter reports the change (dialer.app.switchboard), not when it is
stored: it says what the agent is, once, whichever replica stored it."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from tortoise.exceptions import IntegrityError

from dialer.freeswitch.callcenter import STATUS_MAP, Desired
from dialer.freeswitch.config.spec import AgentSpec, QueueSpec, TierSpec
from dialer.graphql.callcenter.types import AgentInput, QueueInput, TierInput
from dialer.graphql.context import AuditScope, Context
from dialer.graphql.errors import Conflict
from dialer.graphql.ids import fetch_by
from dialer.models import Agent as AgentRow
from dialer.models import Queue as QueueRow
from dialer.models import Tier as TierRow

DEFAULT_WRAP_UP = 10
DEFAULT_NO_ANSWER_DELAY = 2


def _now_ms() -> int:
    return int(time.time() * 1000)


async def get_queue(name: str) -> QueueRow:
    return await fetch_by(QueueRow, "queue", name=name)


async def get_agent(name: str) -> AgentRow:
    return await fetch_by(AgentRow, "agent", name=name)


def _pushed(context: Context) -> None:
    context.after_commit.append(context.switchboard.callcenter_changed)


async def create_queue(data: QueueInput, context: Context, audit: AuditScope) -> QueueRow:
    if await QueueRow.exists(name=data.name):
        raise Conflict(f"queue {data.name!r} already exists", {"name": data.name})
    try:
        row = await QueueRow.create(
            name=data.name,
            strategy=data.strategy,
            moh=data.moh,
            tier_rules_apply=data.tier_rules.apply,
            tier_rule_wait_second=data.tier_rules.wait_second,
            tier_rule_wait_multiply_level=data.tier_rules.wait_multiply_level,
            wrap_up_sec=data.wrap_up_sec,
            no_answer_delay_sec=data.no_answer_delay_sec,
        )
    except IntegrityError:  # a concurrent create of the same name
        raise Conflict(f"queue {data.name!r} already exists", {"name": data.name}) from None
    audit.target("queue", row.name, strategy=row.strategy, moh=row.moh)
    context.announce("queues", _queue_update(row.name))
    _pushed(context)
    return row


def _queue_update(name: str, **figures: Any) -> dict[str, Any]:
    return {
        "type": "queue.update",
        "queue": name,
        "inQueue": 0,
        "serviced": 0,
        "slaPct": 1.0,
        "ts": _now_ms(),
    } | figures


async def create_agent(data: AgentInput, context: Context, audit: AuditScope) -> AgentRow:
    if await AgentRow.exists(name=data.name):
        raise Conflict(f"agent {data.name!r} already exists", {"name": data.name})
    try:
        row = await AgentRow.create(
            name=data.name,
            contact=data.contact.strip(),
            type=data.type,
            status="Logged Out",
            status_changed_at=datetime.now(UTC),
        )
    except IntegrityError:
        raise Conflict(f"agent {data.name!r} already exists", {"name": data.name}) from None
    audit.target("agent", row.name, contact=row.contact, type=row.type)
    _pushed(context)
    return row


async def set_agent_status(name: str, status: str, context: Context, audit: AuditScope) -> AgentRow:
    row = await get_agent(name)
    before = row.status
    if before != status:
        row.status, row.status_changed_at = status, datetime.now(UTC)
        await AgentRow.filter(id=row.id).update(status=row.status, status_changed_at=row.status_changed_at)
        _pushed(context)
    audit.target("agent", row.name, status={"from": before, "to": row.status})
    return row


async def add_tier(queue_name: str, data: TierInput, context: Context, audit: AuditScope) -> TierRow:
    queue = await get_queue(queue_name)
    agent = await get_agent(data.agent)
    existing = await TierRow.get_or_none(queue_id=queue.id, agent_id=agent.id)
    if existing is not None:
        raise Conflict(
            f"agent {agent.name!r} is already in queue {queue.name!r}",
            {"queue": queue.name, "agent": agent.name, "level": existing.level, "position": existing.position},
        )
    try:
        tier = await TierRow.create(queue=queue, agent=agent, level=data.level, position=data.position)
    except IntegrityError:
        raise Conflict(f"agent {agent.name!r} is already in queue {queue.name!r}") from None
    audit.target("queue", queue.name, tier={"agent": agent.name, "level": tier.level, "position": tier.position})
    context.announce("queues", _queue_update(queue.name))
    _pushed(context)
    return tier


async def tiers_of_queue(name: str) -> list[tuple[str, str, int, int]]:
    queue = await get_queue(name)
    rows = await TierRow.filter(queue_id=queue.id).order_by("level", "position", "id").prefetch_related("agent")
    return [(queue.name, row.agent.name, row.level, row.position) for row in rows]


async def desired_state() -> Desired:
    """What every node's mod_callcenter should hold. An agent takes the longest wrap-up and
    no-answer delay of the queues it is in (they are agent settings in mod_callcenter)."""
    queues = await QueueRow.all().order_by("id")
    agents = await AgentRow.all().order_by("id")
    tiers = await TierRow.all().order_by("id").prefetch_related("queue", "agent")
    wrap_up: dict[str, int] = {}
    no_answer: dict[str, int] = {}
    for tier in tiers:
        name = tier.agent.name
        wrap_up[name] = max(wrap_up.get(name, 0), tier.queue.wrap_up_sec)
        no_answer[name] = max(no_answer.get(name, 0), tier.queue.no_answer_delay_sec)
    agent_specs = []
    states = {}
    for agent in agents:
        status, state = STATUS_MAP[agent.status]
        agent_specs.append(
            AgentSpec(
                name=agent.name,
                type=agent.type,
                contact=agent.contact,
                status=status,
                wrap_up_time=wrap_up.get(agent.name, DEFAULT_WRAP_UP),
                no_answer_delay_time=no_answer.get(agent.name, DEFAULT_NO_ANSWER_DELAY),
            )
        )
        if state is not None:
            states[agent.name] = state
    return Desired(
        queues=tuple(
            QueueSpec(
                name=q.name,
                strategy=q.strategy,
                moh=q.moh,
                tier_rules_apply=q.tier_rules_apply,
                tier_rule_wait_second=q.tier_rule_wait_second,
                tier_rule_wait_multiply_level=q.tier_rule_wait_multiply_level,
            )
            for q in queues
        ),
        agents=tuple(agent_specs),
        tiers=tuple(TierSpec(t.queue.name, t.agent.name, t.level, t.position) for t in tiers),
        states=states,
    )


async def record_module_status(name: str, fs_status: str) -> AgentRow | None:
    """mod_callcenter changed an agent's status on its own (max-no-answer puts it On Break): that
    becomes the desired status, so the watchdog does not undo the module's decision."""
    row = await AgentRow.get_or_none(name=name)
    if row is None or fs_status not in ("Available", "Logged Out", "On Break"):
        return None
    if STATUS_MAP[row.status][0] == fs_status:
        return None  # ours already (Wrapup is Available too)
    row.status, row.status_changed_at = fs_status, datetime.now(UTC)
    await AgentRow.filter(id=row.id).update(status=row.status, status_changed_at=row.status_changed_at)
    return row
