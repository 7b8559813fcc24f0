"""Inputs of the FreeSWITCH config generators: plain frozen records, no ORM, no I/O.

The service builds these from its own models; the generators only read them. Values are taken as
they are and checked where FreeSWITCH would otherwise drop them silently (see `_xml.py` and the
generator modules)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class QueueSpec:
    """One mod_callcenter queue. Wrap-up and no-answer delays are agent settings in mod_callcenter,
    so the service copies a queue's values onto its agents (`AgentSpec`)."""

    name: str
    strategy: str
    moh: str
    tier_rules_apply: bool
    tier_rule_wait_second: int
    tier_rule_wait_multiply_level: bool
    max_wait_time_with_no_agent: int = 0
    discard_abandoned_after: int = 60


@dataclass(frozen=True, slots=True)
class AgentSpec:
    """One mod_callcenter agent, as the `<agent .../>` attributes `load_agent` reads."""

    name: str
    type: str  # "callback" | "uuid-standby"
    contact: str
    status: str  # mod_callcenter status, e.g. "Logged Out"
    max_no_answer: int = 3
    wrap_up_time: int = 10
    reject_delay_time: int = 10
    busy_delay_time: int = 60
    no_answer_delay_time: int = 2


@dataclass(frozen=True, slots=True)
class TierSpec:
    """Agent membership of a queue; mod_callcenter keys a tier by (queue, agent)."""

    queue: str
    agent: str
    level: int = 1
    position: int = 1


@dataclass(frozen=True, slots=True)
class GatewaySpec:
    """A sofia gateway (SIP trunk) on the `external` profile. `route` and `max_cps` are the dialer's
    own settings (FreeSWITCH has no such gateway param); they are written as XML comments."""

    name: str
    host: str
    codecs: tuple[str, ...]
    route: str
    max_cps: int
    enabled: bool
    username: str = ""
    password: str = ""


@dataclass(frozen=True, slots=True)
class ServiceSpec:
    """Where the dialer service lives and how a FreeSWITCH node talks to it."""

    base_url: str  # e.g. "https://dialer.example.com"
    cdr_user: str
    cdr_secret: str
    esl_password: str
    esl_listen_ip: str = "0.0.0.0"
    esl_listen_port: int = 8021
    controllers: tuple[str, ...] = ()  # controller IPs or CIDRs
    context: str = "dialer"
