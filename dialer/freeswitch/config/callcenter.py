"""callcenter.conf for mod_callcenter, and the mod_xml_curl documents that carry it.

`callcenter_conf` returns only the `<configuration name="callcenter.conf">` element: that is the
whole of conf/autoload_configs/callcenter.conf.xml, and `configuration_document` wraps the same text
for a mod_xml_curl answer. mod_callcenter reads queues with `load_queue` (params by name), agents with
`load_agent` (attributes) and tiers with `load_tiers` (attributes agent/queue/level/position)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from dialer.freeswitch.config._xml import INDENT, attr, block, comment, count, element, param, token
from dialer.freeswitch.config.spec import AgentSpec, QueueSpec, TierSpec

# mod_callcenter falls back to level/position order for an unknown strategy, without a word.
STRATEGIES = frozenset(
    {
        "ring-all",
        "longest-idle-agent",
        "round-robin",
        "top-down",
        "agent-with-least-talk-time",
        "agent-with-fewest-calls",
        "sequentially-by-agent-order",
        "sequentially-by-next-agent-order",
        "random",
        "ring-progressively",
    }
)
# load_agent drops an unknown status (cc_agent_update answers INVALID_STATUS) and keeps the old one.
AGENT_STATUSES = frozenset({"Logged Out", "Available", "Available (On Demand)", "On Break"})
# CC_AGENT_TYPE_CALLBACK / CC_AGENT_TYPE_UUID_STANDBY, compared case-insensitively.
AGENT_TYPES = frozenset({"callback", "uuid-standby"})

_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="no"?>'


def _queue(queue: QueueSpec) -> list[str]:
    name = token("queue", queue.name)
    if queue.strategy not in STRATEGIES:
        raise ValueError(f"queue {name}: unknown strategy {queue.strategy!r}; one of {sorted(STRATEGIES)}")
    params: list[tuple[str, object]] = [("strategy", queue.strategy)]
    if queue.moh:
        params.append(("moh-sound", queue.moh))
    params += [
        # Score by time in this queue: a dialer call enters the system and the queue together.
        ("time-base-score", "queue"),
        ("tier-rules-apply", queue.tier_rules_apply),
        ("tier-rule-wait-second", count("tier-rule-wait-second", queue.tier_rule_wait_second)),
        ("tier-rule-wait-multiply-level", queue.tier_rule_wait_multiply_level),
        # An answered prospect must not wait on a tier that has nobody logged in.
        ("tier-rule-no-agent-no-wait", True),
        ("discard-abandoned-after", count("discard-abandoned-after", queue.discard_abandoned_after)),
        ("abandoned-resume-allowed", False),
        ("max-wait-time", 0),
        ("max-wait-time-with-no-agent", count("max-wait-time-with-no-agent", queue.max_wait_time_with_no_agent)),
        ("max-wait-time-with-no-agent-time-reached", 5),
    ]
    return [
        f"{INDENT * 2}<queue name={attr(name)}>",
        *(param(key, value, 3) for key, value in params),
        f"{INDENT * 2}</queue>",
    ]


def _agent(agent: AgentSpec) -> str:
    if agent.type.lower() not in AGENT_TYPES:
        raise ValueError(f"agent {agent.name}: type {agent.type!r} is not callback or uuid-standby")
    if agent.status not in AGENT_STATUSES:
        raise ValueError(f"agent {agent.name}: status {agent.status!r} is not one of {sorted(AGENT_STATUSES)}")
    attributes: list[tuple[str, object]] = [
        ("name", token("agent", agent.name)),
        ("type", agent.type),
        ("contact", agent.contact),
        ("status", agent.status),
        ("max-no-answer", count("max-no-answer", agent.max_no_answer)),
        ("wrap-up-time", count("wrap-up-time", agent.wrap_up_time)),
        ("reject-delay-time", count("reject-delay-time", agent.reject_delay_time)),
        ("busy-delay-time", count("busy-delay-time", agent.busy_delay_time)),
        ("no-answer-delay-time", count("no-answer-delay-time", agent.no_answer_delay_time)),
    ]
    return element("agent", attributes, 2)


def _tier(tier: TierSpec, queues: set[str], agents: set[str]) -> str:
    # A tier naming an unknown queue or agent is added by load_tier anyway and never offers a call.
    if tier.queue not in queues:
        raise ValueError(f"tier {tier.queue}/{tier.agent}: no queue named {tier.queue!r}")
    if tier.agent not in agents:
        raise ValueError(f"tier {tier.queue}/{tier.agent}: no agent named {tier.agent!r}")
    attributes: list[tuple[str, object]] = [
        ("agent", tier.agent),
        ("queue", tier.queue),
        ("level", count("level", tier.level)),
        ("position", count("position", tier.position)),
    ]
    return element("tier", attributes, 2)


def _unique(kind: str, names: Sequence[str]) -> set[str]:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ValueError(f"{kind} {name!r} is listed twice")
        seen.add(name)
    return seen


def callcenter_conf(queues: Sequence[QueueSpec], agents: Sequence[AgentSpec], tiers: Sequence[TierSpec]) -> str:
    """The `<configuration name="callcenter.conf">` element: the file's whole text, and what
    `configuration_document` wraps for mod_xml_curl."""
    queue_names = _unique("queue", [queue.name for queue in queues])
    agent_names = _unique("agent", [agent.name for agent in agents])
    _unique("tier", [f"{tier.queue}/{tier.agent}" for tier in tiers])
    lines = [
        '<configuration name="callcenter.conf" description="CallCenter">',
        comment("Generated by the dialer; the service also serves this over mod_xml_curl.", 1),
        comment("Agents and tiers are written into mod_callcenter's database when loaded.", 1),
        f"{INDENT}<settings/>",
        f"{INDENT}<queues>",
        *(line for queue in queues for line in _queue(queue)),
        f"{INDENT}</queues>",
        f"{INDENT}<agents>",
        *(_agent(agent) for agent in agents),
        f"{INDENT}</agents>",
        f"{INDENT}<tiers>",
        *(_tier(tier, queue_names, agent_names) for tier in tiers),
        f"{INDENT}</tiers>",
        "</configuration>",
    ]
    return block(lines)


def _configuration_element(config_xml: str) -> str:
    """The text without any XML declaration, after checking it is one `<configuration>` element."""
    body = config_xml.strip()
    if body.startswith("<?xml"):
        body = body[body.index("?>") + 2 :].lstrip()
    try:
        root = ET.fromstring(body)
    except ET.ParseError as error:
        raise ValueError(f"configuration text is not well-formed XML: {error}") from None
    if root.tag != "configuration" or not root.get("name"):
        raise ValueError("expected a <configuration name=...> element")
    return body


def configuration_document(config_xml: str) -> str:
    """A mod_xml_curl answer for section=configuration. switch_xml_locate looks for
    `<section name="configuration">` holding `<configuration name="<key_value>">`."""
    body = _configuration_element(config_xml)
    indented = [f"{INDENT * 2}{line}" if line.strip() else "" for line in body.splitlines()]
    return block(
        [
            _DECLARATION,
            '<document type="freeswitch/xml">',
            f'{INDENT}<section name="configuration">',
            *indented,
            f"{INDENT}</section>",
            "</document>",
        ]
    )


def not_found_document() -> str:
    """The mod_xml_curl answer that makes FreeSWITCH try the next binding, then its own files."""
    return block(
        [
            _DECLARATION,
            '<document type="freeswitch/xml">',
            f'{INDENT}<section name="result">',
            f'{INDENT * 2}<result status="not found"/>',
            f"{INDENT}</section>",
            "</document>",
        ]
    )
