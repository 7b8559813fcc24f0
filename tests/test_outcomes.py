"""dialer.engine.outcomes: the decision table row by row, its precedence, and the lead dispositions."""

from __future__ import annotations

from typing import Any

import pytest

from dialer.engine import outcomes
from dialer.engine.leads import Disposition
from dialer.engine.outcomes import LEAD_DISPOSITION, CallOutcome, classify, is_answer, is_contact

H, AB, VM, FAX, SIT = (
    CallOutcome.HUMAN,
    CallOutcome.ABANDONED,
    CallOutcome.VOICEMAIL,
    CallOutcome.FAX,
    CallOutcome.SIT,
)
BUSY, NA, REJ, INV, FAIL, CAN = (
    CallOutcome.BUSY, CallOutcome.NOANSWER, CallOutcome.REJECTED,
    CallOutcome.INVALID_NUMBER, CallOutcome.FAILED, CallOutcome.CANCELLED,
)  # fmt: skip
ANSWERED = {"answered": True, "hangup_cause": "NORMAL_CLEARING", "sip_status": 200}


def call(**facts: Any) -> CallOutcome:
    base = {
        "answered": False, "hangup_cause": None, "sip_status": None, "amd_label": None, "tone": None,
        "agent_bridged": False, "queued": False,
    }  # fmt: skip
    return classify(**{**base, **facts})


@pytest.mark.parametrize(
    ("row", "facts", "outcome"),
    [
        # 1: answered and bridged
        (1, {**ANSWERED, "agent_bridged": True, "queued": True, "amd_label": "HUMAN"}, H),
        (1, {**ANSWERED, "agent_bridged": True}, H),  # bridged without the queue (preview / progressive)
        # 2-4: tones and AMD
        (2, {**ANSWERED, "tone": "FAX"}, FAX),
        (2, {**ANSWERED, "amd_label": "FAX"}, FAX),
        (2, {**ANSWERED, "tone": "fax_cng"}, FAX),
        (3, {"hangup_cause": "UNALLOCATED_NUMBER", "sip_status": 404, "tone": "SIT"}, SIT),  # tones in early media
        (3, {**ANSWERED, "amd_label": "SIT"}, SIT),
        (4, {**ANSWERED, "amd_label": "VOICEMAIL"}, VM),
        (4, {**ANSWERED, "amd_label": "MACHINE"}, VM),  # mod_amd's word
        (4, {**ANSWERED, "amd_label": "machine", "queued": True}, VM),
        # 5: answered, nobody took it
        (5, {**ANSWERED, "amd_label": "HUMAN", "queued": True}, AB),  # hung up in the queue
        (5, {**ANSWERED, "amd_label": "HUMAN"}, AB),  # dropped before the queue
        (5, {**ANSWERED, "amd_label": "NOTSURE"}, AB),
        (5, {**ANSWERED, "amd_label": "UNKNOWN", "queued": True}, AB),
        (5, {**ANSWERED, "hangup_cause": "ORIGINATOR_CANCEL"}, AB),  # answered: our cancel is still an abandon
        # 6-10: SIP statuses
        (6, {"sip_status": 486, "hangup_cause": "USER_BUSY"}, BUSY),
        (6, {"sip_status": 600}, BUSY),
        (7, {"sip_status": 480, "hangup_cause": "NO_USER_RESPONSE"}, NA),
        (8, {"sip_status": 403, "hangup_cause": "CALL_REJECTED"}, REJ),
        (8, {"sip_status": 603, "hangup_cause": "CALL_REJECTED"}, REJ),
        (9, {"sip_status": 404, "hangup_cause": "UNALLOCATED_NUMBER"}, INV),
        (9, {"sip_status": 484, "hangup_cause": "INVALID_NUMBER_FORMAT"}, INV),
        (9, {"sip_status": 604, "hangup_cause": "NO_ROUTE_DESTINATION"}, INV),
        (9, {"sip_status": 410}, INV),
        (10, {"sip_status": 503, "hangup_cause": "NORMAL_TEMPORARY_FAILURE"}, FAIL),
        (10, {"sip_status": 502, "hangup_cause": "NETWORK_OUT_OF_ORDER"}, FAIL),
        (10, {"sip_status": 599}, FAIL),
        (10, {"sip_status": 407, "hangup_cause": "CALL_REJECTED"}, FAIL),  # our trunk's credentials, not the callee
        (10, {"sip_status": 488, "hangup_cause": "INCOMPATIBLE_DESTINATION"}, FAIL),
        # SIP statuses not in the table fall through to the cause
        (12, {"sip_status": 487, "hangup_cause": "NO_ANSWER"}, NA),  # our ring timeout
        (16, {"sip_status": 487, "hangup_cause": "ORIGINATOR_CANCEL"}, CAN),  # our cancel
        (17, {"sip_status": 408, "hangup_cause": "RECOVERY_ON_TIMER_EXPIRE"}, FAIL),
        # 11-16: causes alone
        (11, {"hangup_cause": "USER_BUSY"}, BUSY),
        (12, {"hangup_cause": "NO_ANSWER"}, NA),
        (12, {"hangup_cause": "no_user_response"}, NA),
        (12, {"hangup_cause": "SUBSCRIBER_ABSENT"}, NA),
        (12, {"hangup_cause": "ALLOTTED_TIMEOUT"}, NA),
        (13, {"hangup_cause": "USER_NOT_REGISTERED"}, NA),
        (13, {"hangup_cause": "NORMAL_CLEARING"}, NA),  # unanswered: the far end stopped ringing
        (14, {"hangup_cause": "CALL_REJECTED"}, REJ),
        (15, {"hangup_cause": "UNALLOCATED_NUMBER"}, INV),
        (15, {"hangup_cause": "NO_ROUTE_DESTINATION"}, INV),
        (15, {"hangup_cause": "INVALID_NUMBER_FORMAT"}, INV),
        (15, {"hangup_cause": "NUMBER_CHANGED"}, INV),
        (16, {"hangup_cause": "ORIGINATOR_CANCEL"}, CAN),
        (16, {"hangup_cause": "MANAGER_REQUEST"}, CAN),
        (16, {"hangup_cause": "LOSE_RACE"}, CAN),
        # 17: anything else
        (17, {"hangup_cause": "NORMAL_TEMPORARY_FAILURE"}, FAIL),
        (17, {"hangup_cause": "NETWORK_OUT_OF_ORDER"}, FAIL),
        (17, {"hangup_cause": "GATEWAY_DOWN"}, FAIL),
        (17, {"hangup_cause": "RECOVERY_ON_TIMER_EXPIRE"}, FAIL),
        (17, {"hangup_cause": "NORMAL_CIRCUIT_CONGESTION"}, FAIL),
        (17, {"hangup_cause": "SWITCH_CONGESTION"}, FAIL),
        (17, {"hangup_cause": "DESTINATION_OUT_OF_ORDER"}, FAIL),
        (17, {"hangup_cause": "SOMETHING_NEW"}, FAIL),
        (17, {}, FAIL),  # no cause at all
    ],
)
def test_table_rows(row: int, facts: dict[str, Any], outcome: CallOutcome) -> None:
    assert call(**facts) is outcome, f"row {row}"


@pytest.mark.parametrize(
    ("why", "facts", "outcome"),
    [
        (
            "an agent on the call decides, whatever AMD said",
            {**ANSWERED, "agent_bridged": True, "amd_label": "MACHINE"},
            H,
        ),
        ("... or the tone", {**ANSWERED, "agent_bridged": True, "tone": "FAX"}, H),
        (
            "a bridge without an answer is no contact",
            {"agent_bridged": True, "queued": True, "hangup_cause": "NO_ANSWER"},
            NA,
        ),
        ("fax before voicemail (a fax machine fools AMD)", {**ANSWERED, "tone": "FAX", "amd_label": "MACHINE"}, FAX),
        ("fax before SIT", {"tone": "FAX", "amd_label": "SIT"}, FAX),
        ("SIT before the SIP status", {"tone": "SIT", "sip_status": 503}, SIT),
        ("voicemail before answered", {**ANSWERED, "amd_label": "VOICEMAIL", "queued": True}, VM),
        ("answered before the cause", {"answered": True, "hangup_cause": "NORMAL_TEMPORARY_FAILURE"}, AB),
        ("the SIP status before the cause", {"sip_status": 486, "hangup_cause": "NORMAL_TEMPORARY_FAILURE"}, BUSY),
        ("a tone name that is neither", {"tone": "BUSY_TONE", "hangup_cause": "USER_BUSY"}, BUSY),
        ("an AMD label of HUMAN alone does not answer a call", {"amd_label": "HUMAN", "hangup_cause": "NO_ANSWER"}, NA),
    ],
)
def test_precedence(why: str, facts: dict[str, Any], outcome: CallOutcome) -> None:
    assert call(**facts) is outcome, why


def test_the_docstring_table_lists_every_sip_status_and_cause() -> None:
    doc = outcomes.__doc__ or ""
    for status, outcome in outcomes.SIP_OUTCOMES.items():
        line = next(line for line in doc.splitlines() if line.startswith("|") and f" {status}" in line)
        assert line.rstrip(" |").endswith(outcome.value), status
    for cause, outcome in outcomes.CAUSE_OUTCOMES.items():
        line = next(line for line in doc.splitlines() if line.startswith("|") and cause in line)
        assert line.rstrip(" |").endswith(outcome.value), cause


def test_lead_dispositions() -> None:
    assert set(LEAD_DISPOSITION) == set(CallOutcome)
    assert LEAD_DISPOSITION[CallOutcome.HUMAN] is None  # the agent records it
    assert LEAD_DISPOSITION[CallOutcome.INVALID_NUMBER] == "INVALID"
    for outcome in (BUSY, NA, VM):
        assert LEAD_DISPOSITION[outcome] == Disposition[outcome.value].value
    assert {Disposition(value) for value in LEAD_DISPOSITION.values() if value}  # all are Disposition values
    assert sorted(outcomes.ENDS_LEAD) == ["FAX", "INVALID", "SIT"]


def test_answers_and_contacts() -> None:
    assert {o for o in CallOutcome if is_answer(o)} == {H, AB, VM, FAX}
    assert {o for o in CallOutcome if is_contact(o)} == {H, AB}
    assert all(is_answer(o) for o in CallOutcome if is_contact(o))
