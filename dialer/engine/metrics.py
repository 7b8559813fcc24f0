"""What the call figures mean, defined once: the live KPI windows (dialer.engine.kpi) and the reports
(dialer.graphql.reports) both count with these words and compute with these formulas. Pure.
`docs/reports.md`, "Definitions", is the prose of this module; `docs/live.md` links to it.

A call is one CDR (one dialled leg). Its words:

| word | a call that ... | CDR | live event (kpi) |
|---|---|---|---|
| attempt | was dialled and has met its fate | every CDR | `Answered`, or `Ended(answered=False)` |
| answered | the far end picked up (person, machine, fax) | `answer_at` is set | `Answered` |
| live answer | reached a person: bridged to an agent, or abandoned | outcome in `LIVE_ANSWER` | `LiveAnswer` |
| connect | reached a person and an agent took it | outcome in `CONNECT` | `LiveAnswer(abandoned=False)` |
| abandoned | reached a person; no agent took it in the safe harbor | outcome in `ABANDONED` | `LiveAnswer(True)` |
| human | AMD said HUMAN | `amd_label` = HUMAN | `AmdLabel("HUMAN")` |
| SIT, fax | met a special information tone / a fax | outcome SIT / FAX | `AmdLabel` SIT / FAX |

Outcomes are dialer.engine.outcomes.CallOutcome. The figures (a ratio whose denominator is 0 is 0,
and none exceeds 1; rates are rounded to 4 decimals, seconds to 1):

| figure | formula |
|---|---|
| ASR | answered / attempts |
| ACD | billsec of the answered calls / answered calls (s) |
| abandon rate | abandoned / live answers (the law's: TCPA, Ofcom) |
| contact rate | live answers / attempts |
| connect rate | connects / attempts |
| human rate | AMD HUMAN verdicts / answered calls |
| PDD | mean `progress_ms` of the calls that have one (INVITE to the first 180/183), ms |
| SIT share, fax share | SIT calls / attempts, FAX calls / attempts |

Agents' time, from their status history (mod_callcenter's status and state as the agent board
combines them, `AGENT_TIME`): talk is time On Call, wrap-up time in Wrapup, idle time Available;
On Break and Logged Out count for nothing. Handled calls are the agent's connects.

| figure | formula |
|---|---|
| AHT | (talk + wrap-up) / handled calls (s) |
| occupancy | (talk + wrap-up) / (talk + wrap-up + idle) |
"""

from __future__ import annotations

from typing import Final

from dialer.engine.outcomes import CallOutcome

LIVE_ANSWER: Final = frozenset({CallOutcome.HUMAN.value, CallOutcome.ABANDONED.value})
CONNECT: Final = frozenset({CallOutcome.HUMAN.value})
ABANDONED: Final = frozenset({CallOutcome.ABANDONED.value})
SIT: Final = CallOutcome.SIT.value
FAX: Final = CallOutcome.FAX.value
HUMAN_LABEL: Final = "HUMAN"

# Agent board statuses (dialer.app.agent_board.display_status) -> the time they count as.
TALK: Final = "talk"
WRAP_UP: Final = "wrapUp"
IDLE: Final = "idle"
AGENT_TIME: Final = {"On Call": TALK, "Wrapup": WRAP_UP, "Available": IDLE}

RATE_DIGITS: Final = 4
SECONDS_DIGITS: Final = 1


def ratio(part: float, whole: float) -> float:
    """part / whole, at most 1, 0 when whole is 0; 4 decimals."""
    return round(min(part / whole, 1.0), RATE_DIGITS) if whole else 0.0


def mean(total: float, count: int, digits: int = SECONDS_DIGITS) -> float:
    """total / count, 0 when count is 0."""
    return round(total / count, digits) if count else 0.0


def asr(answered: int, attempts: int) -> float:
    return ratio(answered, attempts)


def acd(billsec: float, answered: int) -> float:
    """Mean billsec of answered calls, seconds."""
    return mean(billsec, answered)


def abandon_rate(abandoned: int, live_answers: int) -> float:
    return ratio(abandoned, live_answers)


def contact_rate(live_answers: int, attempts: int) -> float:
    return ratio(live_answers, attempts)


def aht(talk_s: float, wrap_up_s: float, handled: int) -> float:
    return mean(talk_s + wrap_up_s, handled)


def occupancy(talk_s: float, wrap_up_s: float, idle_s: float) -> float:
    return ratio(talk_s + wrap_up_s, talk_s + wrap_up_s + idle_s)
