"""`callcenter_config`: mod_callcenter's agent, tier and queue commands, with its reply strings
(mod_callcenter.c cc_config_api_function, ESL-FACTS §5.1)."""

from __future__ import annotations

from collections.abc import Callable

from dialer.freeswitch.sim.callcenter import STATES, STATUSES, TIER_STATES, Agent, CallCenter, Tier
from dialer.freeswitch.sim.originate import split_args

_AGENT_COLUMNS = (
    "name|instance_id|uuid|type|contact|status|state|max_no_answer|wrap_up_time|reject_delay_time|busy_delay_time|"
    "no_answer_delay_time|last_bridge_start|last_bridge_end|last_offered_call|last_status_change|no_answer_count|"
    "calls_answered|talk_time|ready_time|external_calls_count"
)
_QUEUE_COLUMNS = (
    "name|strategy|moh_sound|time_base_score|tier_rules_apply|tier_rule_wait_second|tier_rule_wait_multiply_level|"
    "tier_rule_no_agent_no_wait|discard_abandoned_after|abandoned_resume_allowed|max_wait_time|"
    "max_wait_time_with_no_agent|max_wait_time_with_no_agent_time_reached|record_template"
)
_INT_KEYS = ("max_no_answer", "wrap_up_time", "reject_delay_time", "busy_delay_time", "no_answer_delay_time")


def callcenter_config(cc: CallCenter, args: str) -> str:
    return _command(cc, split_args(args))


def _command(cc: CallCenter, args: list[str]) -> str:
    if len(args) < 2:
        return "-ERR Invalid!\n"
    section, action, rest = args[0].lower(), args[1].lower(), args[2:8]
    handler = _COMMANDS.get(f"{section} {action}")
    if handler is None:
        return "-ERR Unknown Command!\n"
    return handler(cc, rest)


def _agent_add(cc: CallCenter, rest: list[str]) -> str:
    if len(rest) < 2:
        return "-ERR Invalid!\n"
    name, kind = rest[0], rest[1]
    if name in cc.agents:
        return "-ERR Agent already exist!\n"
    if kind.lower() not in ("callback", "uuid-standby"):
        return "-ERR Agent type invalid!\n"
    cc.agents[name] = Agent(name, kind, last_status_change=cc.now())
    return "+OK\n"


def _agent_del(cc: CallCenter, rest: list[str]) -> str:
    if not rest:
        return "-ERR Invalid!\n"
    cc.agents.pop(rest[0], None)
    for key in [key for key in cc.tiers if key[1] == rest[0]]:
        del cc.tiers[key]
    return "+OK\n"


def _agent_set(cc: CallCenter, rest: list[str]) -> str:
    if len(rest) < 3:
        return "-ERR Invalid!\n"
    key, name, value = rest[0].lower(), rest[1], rest[2]
    agent = cc.agents.get(name)
    if key not in ("status", "state", "contact", "type", "uuid", "ready_time", *_INT_KEYS):
        return "-ERR Invalid Agent Update KEY!\n"
    if agent is None:
        return "-ERR Agent not found!\n"
    if key == "status":
        if value not in STATUSES:
            return "-ERR Invalid Agent Status!\n"
        cc.set_status(agent, value)
    elif key == "state":
        if value not in STATES:
            return "-ERR Invalid Agent State!\n"
        cc.set_state(agent, value)
    elif key == "type":
        if value.lower() not in ("callback", "uuid-standby"):
            return "-ERR Invalid Agent Type!\n"
        agent.type = value
    elif key in ("contact", "uuid"):
        setattr(agent, key, value)
        if key == "contact":
            cc.info("agent-contact-change", CC_Agent=name, CC_Agent_Contact=value)
    else:
        setattr(agent, key, int(value) if value.lstrip("-").isdigit() else 0)
    cc.dispatch()
    return "+OK\n"


def _agent_get(cc: CallCenter, rest: list[str]) -> str:
    if len(rest) < 2:
        return "-ERR Invalid!\n"
    key, name = rest[0].lower(), rest[1]
    if key not in ("status", "state", "uuid"):
        return "-ERR Invalid Agent Update KEY!\n"
    agent = cc.agents.get(name)
    return "-ERR Agent not found!\n" if agent is None else getattr(agent, key)


def _agent_list(cc: CallCenter, rest: list[str]) -> str:
    if len(rest) > 1:
        return "-ERR Invalid!\n"
    agents = [cc.agents[rest[0]]] if rest and rest[0] in cc.agents else [] if rest else cc.agents.values()
    return _table(_AGENT_COLUMNS, [agent.row() for agent in agents])


def _tier_add(cc: CallCenter, rest: list[str]) -> str:
    if len(rest) < 2:
        return "-ERR Invalid!\n"
    queue, name = rest[0], rest[1]
    if queue not in cc.queues:
        return "-ERR Queue not found!\n"
    if name not in cc.agents:
        return "-ERR Agent not found!\n"
    if (queue, name) in cc.tiers:
        return "-ERR Tier already exist!\n"
    level, position = (int(v) if v.isdigit() else 1 for v in (*rest[2:4], "1", "1")[:2])
    cc.tiers[queue, name] = Tier(queue, name, "Ready", level, position)
    cc.dispatch()
    return "+OK\n"


def _tier_set(cc: CallCenter, rest: list[str]) -> str:
    if len(rest) < 4:
        return "-ERR Invalid!\n"
    key, queue, name, value = rest[0].lower(), rest[1], rest[2], rest[3]
    tier = cc.tiers.get((queue, name))
    if key not in ("state", "level", "position"):
        return "-ERR Invalid Tier Update KEY!\n"
    if tier is None:
        return "-ERR Agent not found!\n"
    if key == "state":
        if value not in TIER_STATES:
            return "-ERR Invalid Tier State!\n"
        tier.state = value
    else:
        setattr(tier, key, int(value) if value.isdigit() else 0)
    cc.dispatch()
    return "+OK\n"


def _tier_del(cc: CallCenter, rest: list[str]) -> str:
    if len(rest) < 2:
        return "-ERR Invalid!\n"
    cc.tiers.pop((rest[0], rest[1]), None)
    return "+OK\n"


def _tier_list(cc: CallCenter, rest: list[str]) -> str:
    tiers = sorted(cc.tiers.values(), key=lambda t: (t.level, t.position))
    return _table("queue|agent|state|level|position", [_tier_row(t) for t in tiers])


def _queue_load(cc: CallCenter, rest: list[str]) -> str:
    if not rest:
        return "-ERR Invalid!\n"
    if rest[0] not in cc.config:
        return "-ERR Invalid Queue not found!\n"
    cc.queues.setdefault(rest[0], cc.load(rest[0]))
    return "+OK\n"


def _queue_unload(cc: CallCenter, rest: list[str]) -> str:
    if not rest:
        return "-ERR Invalid!\n"
    cc.queues.pop(rest[0], None)
    return "+OK\n"


def _queue_reload(cc: CallCenter, rest: list[str]) -> str:
    _queue_unload(cc, rest)
    return _queue_load(cc, rest)


def _queue_list(cc: CallCenter, rest: list[str]) -> str:
    if not rest:
        return "".join([_QUEUE_COLUMNS + "\n", *(q.row() + "\n" for q in cc.queues.values()), "+OK\n"])
    what, queue = rest[0].lower(), rest[1] if len(rest) > 1 else ""
    if what == "agents":
        status = rest[2] if len(rest) > 2 else None
        names = [t.agent for t in cc.tiers.values() if t.queue == queue]
        rows = [cc.agents[n].row() for n in names if n in cc.agents and status in (None, cc.agents[n].status)]
        return _table(_AGENT_COLUMNS, rows)
    if what == "members":
        members = cc.queues[queue].members if queue in cc.queues else []
        rows = [f"{queue}|{w.member.uuid}|{int(w.joined)}|{w.agent or ''}" for w in members]
        return _table("queue|uuid|joined_epoch|serving_agent", rows)
    if what == "tiers":
        return _table("queue|agent|state|level|position", [_tier_row(t) for t in cc.tiers.values() if t.queue == queue])
    return "-ERR Invalid!\n"


def _queue_count(cc: CallCenter, rest: list[str]) -> str:
    if not rest:
        return f"{len(cc.queues)}\n"
    what, queue = rest[0].lower(), rest[1] if len(rest) > 1 else ""
    if what == "members":
        return f"{len(cc.queues[queue].members) if queue in cc.queues else 0}\n"
    if what in ("agents", "tiers"):
        return f"{sum(1 for t in cc.tiers.values() if t.queue == queue)}\n"
    return "-ERR Invalid!\n"


def _tier_row(tier: Tier) -> str:
    return f"{tier.queue}|{tier.agent}|{tier.state}|{tier.level}|{tier.position}"


def _table(columns: str, rows: list[str]) -> str:
    return "".join([columns + "\n", *(row + "\n" for row in rows), "+OK\n"])


_COMMANDS: dict[str, Callable[[CallCenter, list[str]], str]] = {
    "agent add": _agent_add,
    "agent del": _agent_del,
    "agent set": _agent_set,
    "agent get": _agent_get,
    "agent list": _agent_list,
    "tier add": _tier_add,
    "tier set": _tier_set,
    "tier del": _tier_del,
    "tier list": _tier_list,
    "queue load": _queue_load,
    "queue unload": _queue_unload,
    "queue reload": _queue_reload,
    "queue list": _queue_list,
    "queue count": _queue_count,
}
