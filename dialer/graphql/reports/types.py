"""Report types: one row of figures per campaign, trunk or agent, and the period they cover. The
figures' definitions are dialer.engine.metrics' (docs/reports.md, "Definitions")."""

from __future__ import annotations

from datetime import datetime

import strawberry

from dialer.graphql.scalars import SipHistogram


@strawberry.type(description="Per campaign: its calls that ended in the period.")
class CampaignFigures:
    campaign_id: str
    calls: int = strawberry.field(description="Attempts: every CDR of the campaign.")
    answered: int = strawberry.field(description="Calls the far end answered (person, machine or fax).")
    live_answers: int = strawberry.field(description="Calls that reached a person: connects plus abandoned.")
    connects: int = strawberry.field(description="Live answers an agent took.")
    abandoned: int = strawberry.field(description="Live answers no agent took within the safe harbor.")
    asr: float = strawberry.field(description="answered / calls.")
    acd: float = strawberry.field(description="Mean billsec of the answered calls, seconds.")
    abandon_rate: float = strawberry.field(description="abandoned / liveAnswers, as the law counts it.")
    contact_rate: float = strawberry.field(description="liveAnswers / calls.")


@strawberry.type(description="Per trunk: its calls that ended in the period.")
class ProviderFigures:
    trunk_id: str
    calls: int
    answered: int
    asr: float = strawberry.field(description="answered / calls.")
    acd: float = strawberry.field(description="Mean billsec of the answered calls, seconds.")
    pdd_ms: int | None = strawberry.field(description="Mean post-dial delay (INVITE to the first 180/183), ms.")
    sip: SipHistogram = strawberry.field(description="Final SIP status of the unanswered calls -> count.")
    sit: int = strawberry.field(description="Calls that met a special information tone.")
    fax: int = strawberry.field(description="Calls answered by a fax.")
    sit_pct: float = strawberry.field(description="sit / calls.")
    fax_pct: float = strawberry.field(description="fax / calls.")


@strawberry.type(description="Per agent: calls handled that ended in the period, and time by status within it.")
class AgentFigures:
    agent_id: str
    calls: int = strawberry.field(description="Connects bridged to this agent.")
    talk_s: float = strawberry.field(description="Seconds On Call.")
    wrap_up_s: float = strawberry.field(description="Seconds in Wrapup.")
    idle_s: float = strawberry.field(description="Seconds Available, waiting for a call.")
    aht: float = strawberry.field(description="(talkS + wrapUpS) / calls, seconds.")
    occupancy: float = strawberry.field(description="(talkS + wrapUpS) / (talkS + wrapUpS + idleS).")


@strawberry.type
class CampaignReport:
    from_: datetime = strawberry.field(name="from", description="Inclusive.")
    to: datetime = strawberry.field(description="Exclusive.")
    items: list[CampaignFigures]


@strawberry.type
class ProviderReport:
    from_: datetime = strawberry.field(name="from", description="Inclusive.")
    to: datetime = strawberry.field(description="Exclusive.")
    items: list[ProviderFigures]


@strawberry.type
class AgentReport:
    from_: datetime = strawberry.field(name="from", description="Inclusive.")
    to: datetime = strawberry.field(description="Exclusive.")
    items: list[AgentFigures]
