"""Queue, agent and tier types and inputs, under the contract's names."""

from __future__ import annotations

from datetime import datetime

import strawberry

from dialer.freeswitch.config.callcenter import AGENT_TYPES, STRATEGIES
from dialer.graphql.validation import constrained
from dialer.models import Agent as AgentRow
from dialer.models import Queue as QueueRow

# mod_callcenter names: no blanks or quotes (callcenter_config splits on blanks), and short.
NAME = {"minLength": 1, "maxLength": 64, "pattern": "^[A-Za-z0-9_.@+-]+$"}
# An originate dial string (user/1001, sofia/gateway/gw/1001, {vars}loopback/...): ASCII, as dial
# strings are, without quotes (callcenter_config) or control characters (ESL lines, FreeSWITCH XML).
CONTACT = {
    "minLength": 1,
    "maxLength": 255,
    # printable ASCII but ' and | (mod_callcenter's lists are '|' tables), blanks inside only
    "pattern": "^[ -&(-{}~]*[!-&(-{}~][ -&(-{}~]*$",
}
MOH = {"minLength": 1, "maxLength": 255, "pattern": "^[!-&(-{}~]+$"}  # a sound path: printable ASCII, no ' or |
SECONDS = {"minimum": 0, "maximum": 86_400}
LEVEL = {"minimum": 0, "maximum": 1000}


# Values as mod_callcenter spells them (dashes, spaces) are strings with an enum constraint, since a
# GraphQL enum value cannot hold either; strategies and agent types are the config generator's lists.
# What the operator sets. Available, Logged Out and On Break are mod_callcenter's statuses; Wrapup is
# status Available with state Idle (no call is offered until the agent is Available again).
AGENT_STATUSES = ("Available", "Logged Out", "On Break", "Wrapup")


@strawberry.type
class TierRules:
    apply: bool
    wait_second: int
    wait_multiply_level: bool


@strawberry.type
class Queue:
    name: str = strawberry.field(description="The queue's mod_callcenter name, also its id.")
    strategy: str = strawberry.field(description="One of mod_callcenter's strategies.")
    moh: str
    tier_rules: TierRules
    wrap_up_sec: int
    no_answer_delay_sec: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: QueueRow) -> Queue:
        return cls(
            name=row.name,
            strategy=row.strategy,
            moh=row.moh,
            tier_rules=TierRules(
                apply=row.tier_rules_apply,
                wait_second=row.tier_rule_wait_second,
                wait_multiply_level=row.tier_rule_wait_multiply_level,
            ),
            wrap_up_sec=row.wrap_up_sec,
            no_answer_delay_sec=row.no_answer_delay_sec,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


@strawberry.type(description="An agent as mod_callcenter knows it, by name.")
class Agent:
    name: str = strawberry.field(description="mod_callcenter's agent name, also its id (1001).")
    contact: str
    type: str = strawberry.field(description="callback (mod_callcenter calls the contact) or uuid-standby.")
    status: str = strawberry.field(
        description="What the operator last set (or the module, e.g. On Break): Available, Logged Out, On Break "
        "or Wrapup (mod_callcenter status Available with state Idle)."
    )
    live_status: str | None = strawberry.field(
        description="What the agent is doing now, as agent.update says it: Available, On Break, On Call, "
        "Wrapup or Logged Out; null until a node reported the agent."
    )
    status_changed_at: datetime
    created_at: datetime

    @classmethod
    def of(cls, row: AgentRow, live_status: str | None = None) -> Agent:
        return cls(
            name=row.name,
            contact=row.contact,
            type=row.type,
            status=row.status,
            live_status=live_status,
            status_changed_at=row.status_changed_at,
            created_at=row.created_at,
        )


@strawberry.type
class Tier:
    queue: str
    agent: str
    level: int
    position: int


@strawberry.input
class TierRulesInput:
    apply: bool = strawberry.field(default=False, description="tier-rules-apply.")
    wait_second: int = constrained("tier-rule-wait-second.", 0, **SECONDS)
    wait_multiply_level: bool = strawberry.field(default=False, description="tier-rule-wait-multiply-level.")


@strawberry.input
class QueueInput:
    name: str = constrained("mod_callcenter queue name: letters, digits and _ . @ + -.", **NAME)
    strategy: str = constrained("mod_callcenter's strategy.", "longest-idle-agent", enum=sorted(STRATEGIES))
    moh: str = constrained("moh-sound.", "local_stream://moh", **MOH)
    tier_rules: TierRulesInput = strawberry.field(default_factory=TierRulesInput)
    wrap_up_sec: int = constrained("Wrap-up time given to the queue's agents.", 10, **SECONDS)
    no_answer_delay_sec: int = constrained("Pause after an agent does not answer.", 2, **SECONDS)


@strawberry.input
class AgentInput:
    name: str = constrained("mod_callcenter agent name (1001).", **NAME)
    contact: str = constrained("Dial string that reaches the agent (user/1001).", **CONTACT)
    type: str = constrained("callback or uuid-standby.", "callback", enum=sorted(AGENT_TYPES))


@strawberry.input
class AgentStateInput:
    status: str = constrained("Available, Logged Out, On Break or Wrapup.", enum=list(AGENT_STATUSES))


@strawberry.input
class TierInput:
    agent: str = constrained("The agent's name.", **NAME)
    level: int = constrained("Lower levels are offered calls first.", 1, **LEVEL)
    position: int = constrained("Order within the level.", 1, **LEVEL)
