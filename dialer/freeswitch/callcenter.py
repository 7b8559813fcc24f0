"""mod_callcenter driven over ESL: what a node has, what it should have, and the commands between.

`observe` reads a node (agent, tier and queue lists, members, live channels); `plan` compares that with
the desired state and returns the `callcenter_config` commands that close the gap, each with its
reason. Planning is pure, so the rules for drift are tested without a socket:

- a desired queue that is not loaded is loaded; one whose parameters differ is reloaded;
- a desired agent that is missing is added; a differing contact, type, status or timer is set;
- a desired tier that is missing is added; level or position is set; a tier of one of our queues
  that we do not want is deleted;
- an agent left in `Receiving`, or a tier left `Offering`, while no member of any queue is being
  served by that agent, for longer than `stuck_after`, is put back (`Waiting`, `Ready`): the module
  loses these when an agent leg dies mid-offer;
- a queue whose members all belong to channels that no longer exist, for longer than `stuck_after`,
  is reloaded (members of a dead channel otherwise linger until discard-abandoned-after).

Queues, agents and tiers the node has but we do not manage (its own callcenter.conf) are left alone.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field

from dialer.freeswitch.config.spec import AgentSpec, QueueSpec, TierSpec

Api = Callable[[str], Awaitable[str]]

# Our agent status -> mod_callcenter (status, state). Wrapup is Available but Idle: the module
# offers no call to an Idle agent, and the agent goes back to Waiting by our command.
STATUS_MAP: Mapping[str, tuple[str, str | None]] = {
    "Available": ("Available", "Waiting"),
    "Logged Out": ("Logged Out", None),
    "On Break": ("On Break", None),
    "Wrapup": ("Available", "Idle"),
}
BUSY_STATES = frozenset({"Receiving", "In a queue call"})


def quote(value: object) -> str:
    """callcenter_config splits on blanks; single quotes keep a value with spaces whole."""
    text = str(value)
    if "'" in text or "\n" in text:
        raise ValueError(f"{text!r}: callcenter_config values cannot hold a quote or a newline")
    return f"'{text}'" if " " in text or not text else text


def command(*words: object) -> str:
    return "callcenter_config " + " ".join(quote(word) for word in words)


def parse_table(output: str) -> list[dict[str, str]]:
    """`agent list`, `tier list`, `queue list ...`: a '|' header, '|' rows, then `+OK`."""
    lines = [line for line in output.splitlines() if line.strip()]
    if not lines or lines[0].startswith("-ERR"):
        return []
    header = lines[0].split("|")
    rows = []
    for line in lines[1:]:
        if line.startswith("+OK"):
            break
        cells = line.split("|")
        rows.append(dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=False)))
    return rows


@dataclass(frozen=True)
class Desired:
    queues: tuple[QueueSpec, ...] = ()
    agents: tuple[AgentSpec, ...] = ()
    tiers: tuple[TierSpec, ...] = ()
    # Agent name -> the state to hold (Idle for Wrapup), from STATUS_MAP.
    states: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Observed:
    queues: Mapping[str, dict[str, str]]
    agents: Mapping[str, dict[str, str]]
    tiers: Mapping[tuple[str, str], dict[str, str]]
    # queue -> [(member session uuid, serving agent)]
    members: Mapping[str, list[tuple[str, str]]]
    channels: frozenset[str] | None


@dataclass(frozen=True)
class Repair:
    command: str
    reason: str
    # (agent, status) this command will make the module announce in agent-status-change: our own echo.
    echo: tuple[str, str] | None = None


@dataclass
class Suspects:
    """When each suspicious thing was first seen, carried from one watchdog pass to the next."""

    since: dict[str, float] = field(default_factory=dict)

    def held(self, key: str, now: float, longer_than: float, still: bool) -> bool:
        if not still:
            self.since.pop(key, None)
            return False
        first = self.since.setdefault(key, now)
        return now - first >= longer_than

    def keep_only(self, keys: Iterable[str]) -> None:
        alive = set(keys)
        for key in [key for key in self.since if key not in alive]:
            del self.since[key]


def _queue_params(queue: QueueSpec) -> dict[str, str]:
    return {
        "strategy": queue.strategy,
        "moh_sound": queue.moh,
        "tier_rules_apply": str(queue.tier_rules_apply).lower(),
        "tier_rule_wait_second": str(queue.tier_rule_wait_second),
        "tier_rule_wait_multiply_level": str(queue.tier_rule_wait_multiply_level).lower(),
    }


def _agent_params(agent: AgentSpec) -> dict[str, str]:
    return {
        "contact": agent.contact,
        "type": agent.type,
        "status": agent.status,
        "max_no_answer": str(agent.max_no_answer),
        "wrap_up_time": str(agent.wrap_up_time),
        "reject_delay_time": str(agent.reject_delay_time),
        "busy_delay_time": str(agent.busy_delay_time),
        "no_answer_delay_time": str(agent.no_answer_delay_time),
    }


def plan_config(desired: Desired, observed: Observed) -> list[Repair]:
    repairs: list[Repair] = []
    for queue in desired.queues:
        have = observed.queues.get(queue.name)
        if have is None:
            repairs.append(Repair(command("queue", "load", queue.name), f"queue {queue.name} is not loaded"))
        elif any(have.get(k, v).lower() != v.lower() for k, v in _queue_params(queue).items()):
            repairs.append(Repair(command("queue", "reload", queue.name), f"queue {queue.name} parameters differ"))
    for agent in desired.agents:
        have = observed.agents.get(agent.name)
        wanted = _agent_params(agent)
        if have is None:
            repairs.append(Repair(command("agent", "add", agent.name, agent.type), f"agent {agent.name} is missing"))
            have = {"type": agent.type, "status": "Logged Out", "state": "Waiting"}
        for key, value in wanted.items():
            if have.get(key, "").lower() != value.lower():
                echo = (agent.name, value) if key == "status" else None
                repairs.append(
                    Repair(command("agent", "set", key, agent.name, value), f"agent {agent.name} {key}", echo)
                )
        state = desired.states.get(agent.name)
        current = have.get("state", "Waiting")
        if state and current != state and current not in BUSY_STATES:
            repairs.append(Repair(command("agent", "set", "state", agent.name, state), f"agent {agent.name} state"))
    ours = {queue.name for queue in desired.queues}
    wanted_tiers = {(tier.queue, tier.agent): tier for tier in desired.tiers}
    for key, tier in wanted_tiers.items():
        have = observed.tiers.get(key)
        if have is None:
            repairs.append(
                Repair(command("tier", "add", *key, tier.level, tier.position), f"tier {key[0]}/{key[1]} is missing")
            )
            continue
        for name in ("level", "position"):
            if have.get(name) != str(getattr(tier, name)):
                repairs.append(
                    Repair(command("tier", "set", name, *key, getattr(tier, name)), f"tier {key[0]}/{key[1]} {name}")
                )
    for key in observed.tiers:
        if key[0] in ours and key not in wanted_tiers:
            repairs.append(Repair(command("tier", "del", *key), f"tier {key[0]}/{key[1]} is not ours"))
    return repairs


def plan_stuck(observed: Observed, suspects: Suspects, now: float, stuck_after: float) -> list[Repair]:
    repairs: list[Repair] = []
    serving = {agent for members in observed.members.values() for _, agent in members if agent}
    seen: list[str] = []
    for name, agent in observed.agents.items():
        key = f"agent:{name}"
        seen.append(key)
        if suspects.held(key, now, stuck_after, agent.get("state") == "Receiving" and name not in serving):
            repairs.append(
                Repair(command("agent", "set", "state", name, "Waiting"), f"agent {name} stuck in Receiving")
            )
    for (queue, name), tier in observed.tiers.items():
        key = f"tier:{queue}:{name}"
        seen.append(key)
        if suspects.held(key, now, stuck_after, tier.get("state") == "Offering" and name not in serving):
            repairs.append(
                Repair(command("tier", "set", "state", queue, name, "Ready"), f"tier {queue}/{name} stuck Offering")
            )
    if observed.channels is not None:
        for queue, members in observed.members.items():
            key = f"members:{queue}"
            seen.append(key)
            stale = bool(members) and all(uuid not in observed.channels for uuid, _ in members)
            if suspects.held(key, now, stuck_after, stale):
                repairs.append(
                    Repair(command("queue", "reload", queue), f"queue {queue} holds only members of ended calls")
                )
    suspects.keep_only(seen)
    return repairs


async def observe(api: Api, queues: Iterable[str], channels: frozenset[str] | None) -> Observed:
    """Read one node's mod_callcenter (several `api` calls; the node must be up)."""
    loaded = {row["name"]: row for row in parse_table(await api("callcenter_config queue list")) if "name" in row}
    agents = {row["name"]: row for row in parse_table(await api("callcenter_config agent list")) if "name" in row}
    tiers = {
        (row["queue"], row["agent"]): row
        for row in parse_table(await api("callcenter_config tier list"))
        if "queue" in row and "agent" in row
    }
    members: dict[str, list[tuple[str, str]]] = {}
    for queue in queues:
        if queue in loaded:
            rows = parse_table(await api(command("queue", "list", "members", queue)))
            members[queue] = [
                (row.get("session_uuid") or row.get("uuid", ""), row.get("serving_agent", "")) for row in rows
            ]
    return Observed(loaded, agents, tiers, members, channels)


async def apply(api: Api, repairs: Iterable[Repair]) -> list[tuple[Repair, str]]:
    """Run the commands in order; returns each with the node's answer (failures are answers too)."""
    done = []
    for repair in repairs:
        done.append((repair, (await api(repair.command)).strip()))
    return done
