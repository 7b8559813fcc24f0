"""`callcenter_config`: mod_callcenter's agent, tier and queue commands, with its reply strings
(mod_callcenter.c cc_config_api_function, ESL-FACTS §5.1).

`queue load|reload <q>`, and `tier add` of a queue that is not loaded, run load_queue, which opens
callcenter.conf. `needs_configuration` names that queue; the caller fetches the document (mod_xml_curl)
and passes its `<configuration>` element, or None for the static one (`SwitchConfig.queues`)."""

from __future__ import annotations

from collections.abc import Callable
from xml.etree.ElementTree import Element

from dialer.freeswitch.sim.callcenter import CallCenter
from dialer.freeswitch.sim.callcenter_model import (
    QUEUE_COLUMNS,
    STATES,
    STATUSES,
    TIER_STATES,
    Agent,
    ConfDocument,
    Tier,
)
from dialer.freeswitch.sim.originate import split_args

_AGENT_COLUMNS = (
    "name|instance_id|uuid|type|contact|status|state|max_no_answer|wrap_up_time|reject_delay_time|busy_delay_time|"
    "no_answer_delay_time|last_bridge_start|last_bridge_end|last_offered_call|last_status_change|no_answer_count|"
    "calls_answered|talk_time|ready_time|external_calls_count"
)
_INT_KEYS = ("max_no_answer", "wrap_up_time", "reject_delay_time", "busy_delay_time", "no_answer_delay_time")


def callcenter_config(cc: CallCenter, args: str, configuration: Element | None = None) -> str:
    """Run one command. `configuration` is callcenter.conf as fetched for this command's
    load_queue (see `needs_configuration`); None means the static configuration."""
    words = split_args(args)
    if len(words) < 2:
        return "-ERR Invalid!\n"
    key, rest = f"{words[0].lower()} {words[1].lower()}", words[2:8]
    loads = _LOADS.get(key)
    if loads is not None:
        return loads(cc, rest, configuration)
    handler = _COMMANDS.get(key)
    if handler is None:
        return "-ERR Unknown Command!\n"
    return handler(cc, rest)


def needs_configuration(cc: CallCenter, args: str) -> str | None:
    """The queue whose load_queue this command runs (and so opens callcenter.conf with CC-Queue),
    or None: `queue load` and `queue reload` always (the 1.10 module reloads a loaded queue too),
    `tier add` when its queue is not loaded (get_queue)."""
    words = split_args(args)
    key = " ".join(word.lower() for word in words[:2])
    if key in ("queue load", "queue reload") and len(words) > 2:
        return words[2]
    if key == "tier add" and len(words) > 3 and words[2] not in cc.queues:
        return words[2]
    return None


def _load(cc: CallCenter, name: str, configuration: Element | None) -> bool:
    """load_queue: from the fetched document if there is one (a document without the queue is a
    miss, with no fallback), else from the static configuration."""
    if configuration is None:
        return cc.load_queue(name, None)
    params = ConfDocument.read(configuration, name).queue
    return params is not None and cc.load_queue(name, params)


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


def _tier_add(cc: CallCenter, rest: list[str], configuration: Element | None = None) -> str:
    if len(rest) < 2:
        return "-ERR Invalid!\n"
    queue, name = rest[0], rest[1]
    if queue not in cc.queues and not _load(cc, queue, configuration):
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


def _queue_load(cc: CallCenter, rest: list[str], configuration: Element | None) -> str:
    if not rest:
        return "-ERR Invalid!\n"
    if not _load(cc, rest[0], configuration):
        return "-ERR Invalid Queue not found!\n"
    _import(cc, rest[0], configuration)
    return "+OK\n"


def _queue_unload(cc: CallCenter, rest: list[str]) -> str:
    if not rest:
        return "-ERR Invalid!\n"
    cc.unload(rest[0])
    return "+OK\n"


def _queue_reload(cc: CallCenter, rest: list[str], configuration: Element | None) -> str:
    """destroy_queue, then load_queue; done here as one step, so the members stay with the queue."""
    if not rest:
        return "-ERR Invalid!\n"
    if not _load(cc, rest[0], configuration):
        cc.unload(rest[0])
        return "-ERR Invalid Queue not found!\n"
    _import(cc, rest[0], configuration)
    return "+OK\n"


def _import(cc: CallCenter, queue: str, configuration: Element | None) -> None:
    """load_queue(name, request_agents, request_tiers): every `<agent>` of the document (load_agent)
    and every `<tier>` (load_tiers with load_all). The static configuration has none."""
    if configuration is None:
        return
    document = ConfDocument.read(configuration, queue)
    for attrs in document.agents:
        name, kind = attrs.get("name"), attrs.get("type")
        if not name or not kind:
            continue
        added = _agent_add(cc, [name, kind])
        if added not in ("+OK\n", "-ERR Agent already exist!\n"):
            continue
        for attr, key in _AGENT_ATTRS:
            if attrs.get(attr) is not None:
                _agent_set(cc, [key, name, attrs[attr]])
        if added != "+OK\n":
            _agent_set(cc, ["type", name, kind])
    for attrs in document.tiers:
        tier, agent = attrs.get("queue") or "", attrs.get("agent") or ""
        level, position = attrs.get("level") or "1", attrs.get("position") or "1"
        if (tier, agent) in cc.tiers:
            _tier_set(cc, ["level", tier, agent, level])
            _tier_set(cc, ["position", tier, agent, position])
        else:  # a tier of another queue that is not loaded loads it from this same document
            _tier_add(cc, [tier, agent, level, position], configuration)


_AGENT_ATTRS = (
    ("contact", "contact"),
    ("status", "status"),
    ("wrap-up-time", "wrap_up_time"),
    ("max-no-answer", "max_no_answer"),
    ("reject-delay-time", "reject_delay_time"),
    ("busy-delay-time", "busy_delay_time"),
    ("no-answer-delay-time", "no_answer_delay_time"),
)


def _queue_list(cc: CallCenter, rest: list[str]) -> str:
    if not rest:
        return "".join([QUEUE_COLUMNS + "\n", *(q.row() + "\n" for q in cc.queues.values()), "+OK\n"])
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
    "tier set": _tier_set,
    "tier del": _tier_del,
    "tier list": _tier_list,
    "queue unload": _queue_unload,
    "queue list": _queue_list,
    "queue count": _queue_count,
}
_LOADS: dict[str, Callable[[CallCenter, list[str], Element | None], str]] = {
    "tier add": _tier_add,
    "queue load": _queue_load,
    "queue reload": _queue_reload,
}
