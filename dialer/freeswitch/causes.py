"""Hangup causes, normalised: the Q.850 name and number FreeSWITCH reports, and the SIP status.

The engine's retry rules and dispositions key on these, whichever node or carrier the call used."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

# switch_channel.c CAUSE_CHART (the ones a dialer meets).
Q850: dict[str, int] = {
    "UNSPECIFIED": 0,
    "UNALLOCATED_NUMBER": 1,
    "NO_ROUTE_TRANSIT_NET": 2,
    "NO_ROUTE_DESTINATION": 3,
    "NORMAL_CLEARING": 16,
    "USER_BUSY": 17,
    "NO_USER_RESPONSE": 18,
    "NO_ANSWER": 19,
    "SUBSCRIBER_ABSENT": 20,
    "CALL_REJECTED": 21,
    "NUMBER_CHANGED": 22,
    "DESTINATION_OUT_OF_ORDER": 27,
    "INVALID_NUMBER_FORMAT": 28,
    "FACILITY_REJECTED": 29,
    "NORMAL_UNSPECIFIED": 31,
    "NORMAL_CIRCUIT_CONGESTION": 34,
    "NETWORK_OUT_OF_ORDER": 38,
    "NORMAL_TEMPORARY_FAILURE": 41,
    "SERVICE_UNAVAILABLE": 63,
    "SWITCH_CONGESTION": 42,
    "INCOMPATIBLE_DESTINATION": 88,
    "RECOVERY_ON_TIMER_EXPIRE": 102,
    "INTERWORKING": 127,
    "ORIGINATOR_CANCEL": 487,
    "CRASH": 500,
    "SYSTEM_SHUTDOWN": 501,
    "LOSE_RACE": 502,
    "MANAGER_REQUEST": 503,
    "ALLOTTED_TIMEOUT": 602,
    "MEDIA_TIMEOUT": 604,
    "USER_NOT_REGISTERED": 606,
    "GATEWAY_DOWN": 609,
}

# sofia.c's mapping of a final SIP response to a hangup cause (the common ones).
SIP_TO_CAUSE: dict[int, str] = {
    400: "NORMAL_TEMPORARY_FAILURE",
    401: "CALL_REJECTED",
    402: "CALL_REJECTED",
    403: "CALL_REJECTED",
    404: "UNALLOCATED_NUMBER",
    405: "SERVICE_UNAVAILABLE",
    407: "CALL_REJECTED",
    408: "RECOVERY_ON_TIMER_EXPIRE",
    410: "NUMBER_CHANGED",
    480: "NO_USER_RESPONSE",
    484: "INVALID_NUMBER_FORMAT",
    486: "USER_BUSY",
    487: "ORIGINATOR_CANCEL",
    488: "INCOMPATIBLE_DESTINATION",
    500: "NORMAL_TEMPORARY_FAILURE",
    502: "NETWORK_OUT_OF_ORDER",
    503: "NORMAL_TEMPORARY_FAILURE",
    504: "RECOVERY_ON_TIMER_EXPIRE",
    600: "USER_BUSY",
    603: "CALL_REJECTED",
    604: "NO_ROUTE_DESTINATION",
    606: "INCOMPATIBLE_DESTINATION",
}

# The reverse, for the simulator and for causes that arrive without a SIP status.
CAUSE_TO_SIP: dict[str, int] = {
    "NORMAL_CLEARING": 200,
    "USER_BUSY": 486,
    "NO_USER_RESPONSE": 480,
    "NO_ANSWER": 480,
    "UNALLOCATED_NUMBER": 404,
    "CALL_REJECTED": 603,
    "NORMAL_TEMPORARY_FAILURE": 503,
    "RECOVERY_ON_TIMER_EXPIRE": 408,
    "INVALID_NUMBER_FORMAT": 484,
    "ORIGINATOR_CANCEL": 487,
    "NO_ROUTE_DESTINATION": 404,
    "NORMAL_CIRCUIT_CONGESTION": 503,
}


@dataclass(frozen=True, slots=True)
class HangupCause:
    name: str
    q850: int
    sip_status: int | None = None

    @property
    def success(self) -> bool:
        return self.name == "NORMAL_CLEARING"


def cause_named(name: str, sip_status: int | None = None) -> HangupCause:
    name = name.strip().upper() or "UNSPECIFIED"
    return HangupCause(name, Q850.get(name, 0), sip_status if sip_status is not None else CAUSE_TO_SIP.get(name))


def cause_of(headers: Mapping[str, str]) -> HangupCause:
    """The cause of a hangup event (or of a CDR's variables, `variable_` prefix or not)."""

    def get(name: str) -> str | None:
        return headers.get(f"variable_{name}") or headers.get(name)

    name = headers.get("Hangup-Cause") or get("hangup_cause") or "UNSPECIFIED"
    sip: int | None = None
    for candidate in (get("sip_term_status"), get("sip_invite_failure_status")):
        if candidate and candidate.isdigit():
            sip = int(candidate)
            break
    if sip is None:
        proto = get("proto_specific_hangup_cause") or ""
        if proto.startswith("sip:") and proto[4:].isdigit():
            sip = int(proto[4:])
    q850 = get("hangup_cause_q850")
    base = cause_named(name, sip)
    if q850 and q850.isdigit():
        return HangupCause(base.name, int(q850), base.sip_status)
    return base


def cause_for_sip(status: int) -> HangupCause:
    return cause_named(SIP_TO_CAUSE.get(status, "NORMAL_TEMPORARY_FAILURE"), status)
