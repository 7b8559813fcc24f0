"""What a dialled call came to, from its CDR: one ordered decision table, and the lead disposition
the CDR path records for each outcome. Pure.

`classify` reads: whether the far end answered, an agent was bridged, the call was queued; the AMD
label (HUMAN, VOICEMAIL, FAX, SIT, UNKNOWN; mod_amd's MACHINE and NOTSURE are read as VOICEMAIL and
UNKNOWN); a detected tone (FAX, SIT); the final SIP status; the Q.850 hangup cause. The first row
that matches wins:

| # | When | Outcome |
|---|------|---------|
| 1 | answered, and an agent was bridged | HUMAN |
| 2 | a fax tone was detected, or AMD says FAX | FAX |
| 3 | a special information tone was detected, or AMD says SIT | SIT |
| 4 | AMD says VOICEMAIL (mod_amd MACHINE, or a voicemail beep), and the call was not an AMD audit | VOICEMAIL |
| 5 | answered, no agent bridged (AMD HUMAN, UNKNOWN or none; queued or not) | ABANDONED |
| 6 | SIP 486, 600 | BUSY |
| 7 | SIP 480 | NOANSWER |
| 8 | SIP 403, 603 | REJECTED |
| 9 | SIP 404, 410, 484, 485, 604 | INVALID_NUMBER |
| 10 | SIP 401, 402, 407, 488, 606, any 5xx | FAILED |
| 11 | cause USER_BUSY | BUSY |
| 12 | cause NO_ANSWER, NO_USER_RESPONSE, SUBSCRIBER_ABSENT, ALLOTTED_TIMEOUT | NOANSWER |
| 13 | cause USER_NOT_REGISTERED, NORMAL_CLEARING (unanswered) | NOANSWER |
| 14 | cause CALL_REJECTED | REJECTED |
| 15 | cause UNALLOCATED_NUMBER, NO_ROUTE_DESTINATION, INVALID_NUMBER_FORMAT, NUMBER_CHANGED | INVALID_NUMBER |
| 16 | cause ORIGINATOR_CANCEL, MANAGER_REQUEST, LOSE_RACE | CANCELLED |
| 17 | any other cause (NORMAL_TEMPORARY_FAILURE, NETWORK_OUT_OF_ORDER, GATEWAY_DOWN, ...), or none | FAILED |

Row 17 covers RECOVERY_ON_TIMER_EXPIRE, NORMAL_CIRCUIT_CONGESTION, SWITCH_CONGESTION,
DESTINATION_OUT_OF_ORDER, MEDIA_TIMEOUT, INCOMPATIBLE_DESTINATION and causes not known here.

Why this order:

* Row 1 first: once an agent is on the call, the agent records what it came to (a machine the AMD
  let through included); the CDR path must not record a second disposition. The AMD verdict stays
  in the CDR for AMD-accuracy figures.
* Tones and AMD (rows 2-4) come before "answered": a fax or a voicemail box answers too.
* An AMD audit (`amd_audit`: a machine verdict the dialer sent to an agent anyway, to measure how
  often AMD hangs up on people) is treated as the human it may be: bridged, row 1; not, row 5.
* Row 5 is the regulators' abandoned call: a live answer that no agent took, whether the person
  hung up in the queue, left it on a timeout, or was dropped before it. No row depends on
  `queued`: classify takes it so that callers hand over the CDR's whole picture.
* SIP statuses (rows 6-10) before causes: they are what the far end said. Statuses not listed
  (487, 408, 400...) fall through to the cause, which tells who cancelled (487 with NO_ANSWER is our
  ring timeout, with ORIGINATOR_CANCEL our cancel).
* An unanswered NORMAL_CLEARING is a far end that stopped ringing: NOANSWER. The controller should
  kill calls it gives up on with ORIGINATOR_CANCEL (uuid_kill's default is NORMAL_CLEARING), so
  they count as CANCELLED.

`LEAD_DISPOSITION` is what the CDR path records on the lead (the values of
dialer.engine.leads.Disposition); None for HUMAN, where the agent records it. FAX, SIT and INVALID
end the lead (the number cannot reach a person); ABANDONED and FAILED are retried soon (the number
is fine, our side failed); REJECTED is retried like BUSY; CANCELLED soon and often (the far end
did nothing wrong); NOANSWER, BUSY and VOICEMAIL by the list's retry rules.

KPIs: `is_answer` (the far end answered: HUMAN, ABANDONED, VOICEMAIL, FAX) is ASR's numerator;
`is_contact` (a person was reached: HUMAN, ABANDONED) is the abandon rate's denominator
(abandon rate = ABANDONED / contacts).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType


class CallOutcome(str, enum.Enum):
    HUMAN = "HUMAN"  # a person answered and an agent was bridged
    ABANDONED = "ABANDONED"  # a person answered and no agent took the call
    VOICEMAIL = "VOICEMAIL"
    FAX = "FAX"
    SIT = "SIT"  # special information tones: number not in service, changed...
    BUSY = "BUSY"
    NOANSWER = "NOANSWER"
    REJECTED = "REJECTED"  # the callee or its network declined (403, 603, CALL_REJECTED)
    INVALID_NUMBER = "INVALID_NUMBER"  # the number does not exist or cannot be routed
    FAILED = "FAILED"  # our trunk or the network failed (5xx, temporary failure, gateway down)
    CANCELLED = "CANCELLED"  # we gave up before an answer (ORIGINATOR_CANCEL, MANAGER_REQUEST)


@dataclass(frozen=True, slots=True)
class _Call:
    answered: bool
    bridged: bool
    queued: bool
    amd: str | None
    tone: str | None
    audit: bool  # an AMD machine verdict sent to an agent anyway, to measure AMD's errors


# Rows 1-5 of the table: conditions on more than the status or the cause.
RULES: tuple[tuple[str, Callable[[_Call], bool], CallOutcome], ...] = (
    ("answered, agent bridged", lambda c: c.answered and c.bridged, CallOutcome.HUMAN),
    ("fax tone or AMD FAX", lambda c: CallOutcome.FAX.value in (c.tone, c.amd), CallOutcome.FAX),
    ("SIT tone or AMD SIT", lambda c: CallOutcome.SIT.value in (c.tone, c.amd), CallOutcome.SIT),
    ("AMD VOICEMAIL, no audit", lambda c: c.amd == CallOutcome.VOICEMAIL.value and not c.audit, CallOutcome.VOICEMAIL),
    ("answered, no agent bridged", lambda c: c.answered, CallOutcome.ABANDONED),
)
# Rows 6-10: final SIP statuses; any other 5xx is FAILED too.
SIP_OUTCOMES: Mapping[int, CallOutcome] = MappingProxyType(
    {
        486: CallOutcome.BUSY,
        600: CallOutcome.BUSY,
        480: CallOutcome.NOANSWER,
        403: CallOutcome.REJECTED,
        603: CallOutcome.REJECTED,
        404: CallOutcome.INVALID_NUMBER,
        410: CallOutcome.INVALID_NUMBER,
        484: CallOutcome.INVALID_NUMBER,
        485: CallOutcome.INVALID_NUMBER,
        604: CallOutcome.INVALID_NUMBER,
        401: CallOutcome.FAILED,
        402: CallOutcome.FAILED,
        407: CallOutcome.FAILED,
        488: CallOutcome.FAILED,
        606: CallOutcome.FAILED,
    }
)
# Rows 11-16: Q.850 causes as FreeSWITCH names them; anything else is FAILED (row 17).
CAUSE_OUTCOMES: Mapping[str, CallOutcome] = MappingProxyType(
    {
        "USER_BUSY": CallOutcome.BUSY,
        "NO_ANSWER": CallOutcome.NOANSWER,
        "NO_USER_RESPONSE": CallOutcome.NOANSWER,
        "SUBSCRIBER_ABSENT": CallOutcome.NOANSWER,
        "ALLOTTED_TIMEOUT": CallOutcome.NOANSWER,
        "USER_NOT_REGISTERED": CallOutcome.NOANSWER,
        "NORMAL_CLEARING": CallOutcome.NOANSWER,
        "CALL_REJECTED": CallOutcome.REJECTED,
        "UNALLOCATED_NUMBER": CallOutcome.INVALID_NUMBER,
        "NO_ROUTE_DESTINATION": CallOutcome.INVALID_NUMBER,
        "INVALID_NUMBER_FORMAT": CallOutcome.INVALID_NUMBER,
        "NUMBER_CHANGED": CallOutcome.INVALID_NUMBER,
        "ORIGINATOR_CANCEL": CallOutcome.CANCELLED,
        "MANAGER_REQUEST": CallOutcome.CANCELLED,
        "LOSE_RACE": CallOutcome.CANCELLED,
    }
)
DEFAULT = CallOutcome.FAILED

_AMD = {"MACHINE": "VOICEMAIL", "NOTSURE": "UNKNOWN"}


def classify(
    *,
    answered: bool,
    hangup_cause: str | None,
    sip_status: int | None,
    amd_label: str | None,
    tone: str | None,
    agent_bridged: bool,
    queued: bool,
    amd_audit: bool = False,
) -> CallOutcome:
    """The first row of the module's table that matches."""
    amd = (amd_label or "").strip().upper() or None
    call = _Call(answered, agent_bridged, queued, _AMD.get(amd, amd) if amd else None, _tone(tone), amd_audit)
    for _, matches, outcome in RULES:
        if matches(call):
            return outcome
    if sip_status is not None:
        if sip_status in SIP_OUTCOMES:
            return SIP_OUTCOMES[sip_status]
        if 500 <= sip_status <= 599:
            return CallOutcome.FAILED
    return CAUSE_OUTCOMES.get((hangup_cause or "").strip().upper(), DEFAULT)


def _tone(tone: str | None) -> str | None:
    word = (tone or "").strip().upper()
    if "FAX" in word or "CNG" in word or "CED" in word:
        return CallOutcome.FAX.value
    return CallOutcome.SIT.value if "SIT" in word else None


# The disposition the CDR path records (dialer.engine.leads.Disposition values); None: the agent's.
LEAD_DISPOSITION: Mapping[CallOutcome, str | None] = MappingProxyType(
    {
        CallOutcome.HUMAN: None,
        CallOutcome.ABANDONED: "ABANDONED",
        CallOutcome.VOICEMAIL: "VOICEMAIL",
        CallOutcome.FAX: "FAX",
        CallOutcome.SIT: "SIT",
        CallOutcome.BUSY: "BUSY",
        CallOutcome.NOANSWER: "NOANSWER",
        CallOutcome.REJECTED: "REJECTED",
        CallOutcome.INVALID_NUMBER: "INVALID",
        CallOutcome.FAILED: "FAILED",
        CallOutcome.CANCELLED: "CANCELLED",
    }
)
# Dispositions that end the lead: the number cannot reach a person.
ENDS_LEAD = frozenset({"FAX", "SIT", "INVALID"})

_ANSWERS = frozenset({CallOutcome.HUMAN, CallOutcome.ABANDONED, CallOutcome.VOICEMAIL, CallOutcome.FAX})
_CONTACTS = frozenset({CallOutcome.HUMAN, CallOutcome.ABANDONED})


def is_answer(outcome: CallOutcome) -> bool:
    """The far end answered (ASR's numerator)."""
    return outcome in _ANSWERS


def is_contact(outcome: CallOutcome) -> bool:
    """A person was reached, whether or not an agent took the call."""
    return outcome in _CONTACTS
