"""mod_callcenter's data: statuses, agents and tiers, the parameters a queue is loaded with, where
they come from, and the rules that use them. From mod_callcenter.c (1.10 line): queue_set_config,
load_queue, agents_callback (tier rules) and cc_member_thread_run (max-wait-time*).

A queue's parameters come from callcenter.conf: `<queues><queue name="..."><param name value/>`.
That document is either the static one (`SwitchConfig.queues`, name -> params) or one that an XML
binding (mod_xml_curl) fetched for `load_queue`, which also imports the document's `<agents>` and
`<tiers>`."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any
from xml.etree.ElementTree import Element

log = logging.getLogger(__name__)

# switch_true / switch_false
_TRUE = frozenset({"yes", "on", "true", "t", "enabled", "enable", "active", "allow", "1"})
_FALSE = frozenset({"no", "off", "false", "f", "disabled", "disable", "inactive", "disallow", "0"})
_INT_MAX = 86400  # config_int_0_86400

STATUSES = ("Logged Out", "Available", "Available (On Demand)", "On Break")
LISTED = ("Available", "On Break", "Available (On Demand)")  # the agents dispatch looks at
STATES = ("Waiting", "Receiving", "In a queue call", "Idle")
TIER_STATES = ("No Answer", "Ready", "Offering", "Active Inbound", "Standby")
STRATEGIES = (
    "ring-all",
    "longest-idle-agent",
    "round-robin",
    "top-down",
    "agent-with-least-talk-time",
    "agent-with-fewest-calls",
    "sequentially-by-agent-order",
    "random",
)

QUEUE_COLUMNS = (
    "name|strategy|moh_sound|time_base_score|tier_rules_apply|tier_rule_wait_second|tier_rule_wait_multiply_level|"
    "tier_rule_no_agent_no_wait|discard_abandoned_after|abandoned_resume_allowed|max_wait_time|"
    "max_wait_time_with_no_agent|max_wait_time_with_no_agent_time_reached|record_template|calls_answered|"
    "calls_abandoned|ring_progressively_delay|skip_agents_with_external_calls|agent_no_answer_status"
)


@dataclass
class Agent:
    name: str
    type: str = "callback"
    contact: str = ""
    status: str = "Logged Out"
    state: str = "Waiting"
    max_no_answer: int = 0
    wrap_up_time: int = 0
    reject_delay_time: int = 0
    busy_delay_time: int = 0
    no_answer_delay_time: int = 0
    last_bridge_start: int = 0
    last_bridge_end: int = 0
    last_offered_call: int = 0
    last_status_change: int = 0
    no_answer_count: int = 0
    calls_answered: int = 0
    talk_time: int = 0
    ready_time: int = 0
    uuid: str = ""

    def row(self) -> str:
        values = (self.name, "single_box", self.uuid, self.type, self.contact, self.status, self.state)
        numbers = (
            self.max_no_answer,
            self.wrap_up_time,
            self.reject_delay_time,
            self.busy_delay_time,
            self.no_answer_delay_time,
            self.last_bridge_start,
            self.last_bridge_end,
            self.last_offered_call,
            self.last_status_change,
            self.no_answer_count,
            self.calls_answered,
            self.talk_time,
            self.ready_time,
            0,
        )
        return "|".join((*values, *map(str, numbers)))


@dataclass
class Tier:
    queue: str
    agent: str
    state: str = "Ready"
    level: int = 1
    position: int = 1


@dataclass(frozen=True)
class QueueParams:
    """queue_set_config: each field is the param of the same name with '-' for '_', and its default."""

    strategy: str = "longest-idle-agent"
    moh_sound: str | None = None
    announce_sound: str | None = None
    announce_frequency: int = 0
    record_template: str | None = None
    time_base_score: str = "queue"
    ring_progressively_delay: int = 0
    tier_rules_apply: bool = False
    tier_rule_wait_second: int = 0
    tier_rule_wait_multiply_level: bool = False
    tier_rule_no_agent_no_wait: bool = True
    discard_abandoned_after: int = 60
    abandoned_resume_allowed: bool = False
    max_wait_time: int = 0
    max_wait_time_with_no_agent: int = 0
    max_wait_time_with_no_agent_time_reached: int = 5
    agent_no_answer_status: str = "On Break"
    skip_agents_with_external_calls: bool = True

    @classmethod
    def from_params(cls, params: Mapping[str, Any], queue: str = "") -> QueueParams:
        """Like switch_xml_config_parse_event: unknown names are ignored; a value that is not a
        boolean, or not an integer in 0..86400, keeps the default (and is logged)."""
        values: dict[str, Any] = {}
        for item in fields(cls):
            key = item.name.replace("_", "-")
            raw = params.get(key, params.get(item.name))
            if raw is None:
                continue
            default = item.default
            if isinstance(default, bool):
                value = _flag(raw)
            elif isinstance(default, int):
                value = _number(raw)
            else:
                value = str(raw)
            if value is None:
                log.warning("callcenter.conf: queue %s: invalid value %r for %s, keeping %r", queue, raw, key, default)
                continue
            values[item.name] = value
        return cls(**values)

    def needs_clock(self) -> bool:
        """Whether waiting members must be looked at as time passes, not only on events."""
        return self.tier_rules_apply or self.max_wait_time > 0 or self.max_wait_time_with_no_agent > 0


def _flag(raw: Any) -> bool | None:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    return True if text in _TRUE else False if text in _FALSE else None


def _number(raw: Any) -> int | None:
    text = str(raw).strip()
    if isinstance(raw, bool) or not text.lstrip("+-").isdigit():
        return None
    value = int(text)
    return value if 0 <= value <= _INT_MAX else None


def queue_row(name: str, p: QueueParams, calls_answered: int, calls_abandoned: int) -> str:
    """One line of `queue list`, in the module's column order (QUEUE_COLUMNS). An unset string
    (moh-sound, record-template) is shown empty."""

    def flag(value: bool) -> str:
        return "true" if value else "false"

    return "|".join(
        (
            name,
            p.strategy,
            p.moh_sound or "",
            p.time_base_score,
            flag(p.tier_rules_apply),
            str(p.tier_rule_wait_second),
            flag(p.tier_rule_wait_multiply_level),
            flag(p.tier_rule_no_agent_no_wait),
            str(p.discard_abandoned_after),
            flag(p.abandoned_resume_allowed),
            str(p.max_wait_time),
            str(p.max_wait_time_with_no_agent),
            str(p.max_wait_time_with_no_agent_time_reached),
            p.record_template or "",
            str(calls_answered),
            str(calls_abandoned),
            str(p.ring_progressively_delay),
            flag(p.skip_agents_with_external_calls),
            p.agent_no_answer_status,
        )
    )


@dataclass(frozen=True)
class ConfDocument:
    """What load_queue reads from one callcenter.conf `<configuration>`: the queue's params (None
    when the document has no such queue), and every `<agent>` and `<tier>` as its attributes."""

    queue: dict[str, str] | None
    agents: tuple[dict[str, str], ...] = ()
    tiers: tuple[dict[str, str], ...] = ()

    @classmethod
    def read(cls, configuration: Element, queue_name: str) -> ConfDocument:
        params = None
        queues = configuration.find("queues")
        for element in queues.findall("queue") if queues is not None else ():
            if element.get("name") == queue_name:  # switch_xml_find_child: the first match
                params = {p.get("name", ""): p.get("value", "") for p in element.findall("param") if _named(p)}
                break
        agents = configuration.find("agents")
        tiers = configuration.find("tiers")
        return cls(
            params,
            tuple(dict(a.attrib) for a in agents.findall("agent")) if agents is not None else (),
            tuple(dict(t.attrib) for t in tiers.findall("tier")) if tiers is not None else (),
        )


def _named(param: Element) -> bool:
    return param.get("name") is not None and param.get("value") is not None


def tier_cut(levels: Sequence[int], p: QueueParams, waited: int) -> int:
    """agents_callback's tier rules. `levels` are the tier levels of the queue's agent rows (status
    Available, On Break or Available (On Demand)) in dispatch order, lowest level first; `waited` is
    how long the member has been in the queue, in whole seconds. Returns how many leading rows the
    member may be offered to: a higher level is reached when the tier before it had no agent
    (tier-rule-no-agent-no-wait), or after tier-rule-wait-second (times the level, with
    tier-rule-wait-multiply-level). As in the module, this applies to the first level too."""
    tier = available = 0
    for index, level in enumerate(levels):
        if level > tier:
            wait = level * p.tier_rule_wait_second if p.tier_rule_wait_multiply_level else p.tier_rule_wait_second
            if p.tier_rule_no_agent_no_wait and available == 0:
                tier = level
            elif waited >= wait:
                tier, available = level, 0
            else:
                return index
        available += 1
    return len(levels)


def timeout_reason(
    p: QueueParams, joined: int, now: int, agent_seen: int, agent_check: int, connecting: bool
) -> str | None:
    """cc_member_thread_run: TIMEOUT after max-wait-time (not while an agent is being connected);
    NO_AGENT_TIMEOUT once the queue has had no agent for max-wait-time-with-no-agent seconds, and the
    member has waited that plus max-wait-time-with-no-agent-time-reached. `agent_seen` is when an
    agent last existed for the queue, `agent_check` when that was last looked at (epoch seconds)."""
    if p.max_wait_time > 0 and now - joined >= p.max_wait_time and not connecting:
        return "TIMEOUT"
    no_agent = p.max_wait_time_with_no_agent
    if no_agent > 0 and agent_check > agent_seen and joined <= agent_check and agent_check - agent_seen >= no_agent:
        grace = p.max_wait_time_with_no_agent_time_reached
        if grace <= 0 or agent_check - joined >= grace + no_agent:
            return "NO_AGENT_TIMEOUT"
    return None
