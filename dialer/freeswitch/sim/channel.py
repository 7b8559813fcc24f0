"""A simulated channel: its variables, its caller profile, and the headers of its events
(switch_channel_event_set_basic_data / extended_data, ESL-FACTS §4.5)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dialer.freeswitch.sim.clock import Timer

# Channel state, its number, and the call state, per step of an outbound call.
STATES = {
    "DOWN": ("CS_INIT", "2"),
    "RINGING": ("CS_CONSUME_MEDIA", "7"),
    "EARLY": ("CS_CONSUME_MEDIA", "7"),
    "ACTIVE": ("CS_EXECUTE", "4"),
    "HANGUP": ("CS_HANGUP", "10"),
}
ANSWER_STATES = {"DOWN": "ringing", "RINGING": "ringing", "EARLY": "early", "ACTIVE": "answered", "HANGUP": "hangup"}


@dataclass(eq=False)
class Channel:
    uuid: str
    name: str
    destination: str
    trunk: str
    variables: dict[str, str]
    created: float
    call_state: str = "DOWN"
    progress: float = 0.0
    progress_media: float = 0.0
    answered: float = 0.0
    hungup: float = 0.0
    hangup_cause: str | None = None
    application: str = "park"
    application_args: str = ""
    timers: list[Timer] = field(default_factory=list)
    on_var: Callable[[Channel], None] | None = None
    bridge: Callable[[Channel, str, str], None] | None = None
    # The originate command still waiting for its result (originate.Originating).
    job: Any = None

    def set_var(self, name: str, value: str) -> None:
        self.variables[name] = value

    def bridged(self, agent: str, agent_uuid: str) -> None:
        if self.bridge:
            self.bridge(self, agent, agent_uuid)

    def cancel_timers(self) -> None:
        for timer in self.timers:
            timer.cancel()
        self.timers.clear()

    def headers(self) -> dict[str, str]:
        """Channel data and every variable, in FreeSWITCH's order."""
        state, number = STATES[self.call_state]
        v = self.variables
        us = _microseconds
        headers = {
            "Channel-State": state,
            "Channel-Call-State": self.call_state,
            "Channel-State-Number": number,
            "Channel-Name": self.name,
            "Unique-ID": self.uuid,
            "Call-Direction": "outbound",
            "Presence-Call-Direction": "outbound",
            "Channel-HIT-Dialplan": "false",
            "Channel-Call-UUID": self.uuid,
            "Answer-State": ANSWER_STATES[self.call_state],
        }
        if self.hangup_cause:
            headers["Hangup-Cause"] = self.hangup_cause
        headers.update(
            {
                "Channel-Read-Codec-Name": "PCMU",
                "Channel-Read-Codec-Rate": "8000",
                "Channel-Read-Codec-Bit-Rate": "64000",
                "Channel-Write-Codec-Name": "PCMU",
                "Channel-Write-Codec-Rate": "8000",
                "Channel-Write-Codec-Bit-Rate": "64000",
                "Caller-Direction": "outbound",
                "Caller-Logical-Direction": "outbound",
                "Caller-Dialplan": "XML",
                "Caller-Caller-ID-Name": v.get("origination_caller_id_name", ""),
                "Caller-Caller-ID-Number": v.get("origination_caller_id_number", ""),
                "Caller-Orig-Caller-ID-Name": v.get("origination_caller_id_name", ""),
                "Caller-Orig-Caller-ID-Number": v.get("origination_caller_id_number", ""),
                "Caller-Callee-ID-Name": "Outbound Call",
                "Caller-Callee-ID-Number": self.destination,
                "Caller-Network-Addr": "",
                "Caller-ANI": v.get("origination_caller_id_number", ""),
                "Caller-Destination-Number": self.destination,
                "Caller-Unique-ID": self.uuid,
                "Caller-Source": "src/switch_ivr_originate.c",
                "Caller-Context": "default",
                "Caller-Channel-Name": self.name,
                "Caller-Profile-Index": "1",
                "Caller-Profile-Created-Time": us(self.created),
                "Caller-Channel-Created-Time": us(self.created),
                "Caller-Channel-Answered-Time": us(self.answered),
                "Caller-Channel-Progress-Time": us(self.progress),
                "Caller-Channel-Progress-Media-Time": us(self.progress_media),
                "Caller-Channel-Hangup-Time": us(self.hungup),
                "Caller-Channel-Transfer-Time": "0",
                "Caller-Channel-Resurrect-Time": "0",
                "Caller-Channel-Bridged-Time": "0",
                "Caller-Channel-Last-Hold": "0",
                "Caller-Channel-Hold-Accum": "0",
                "Caller-Screen-Bit": "true",
                "Caller-Privacy-Hide-Name": "false",
                "Caller-Privacy-Hide-Number": "false",
            }
        )
        for name, value in v.items():
            headers["variable_" + name] = value
        return headers

    def cdr_times(self) -> dict[str, str]:
        """The timing variables FreeSWITCH computes at hangup (switch_channel.c set_cdr_vars)."""
        end = self.hungup or self.created
        answered = self.answered
        return {
            "start_epoch": str(int(self.created)),
            "start_uepoch": _microseconds(self.created),
            "answer_epoch": str(int(answered)),
            "answer_uepoch": _microseconds(answered),
            "progress_epoch": str(int(self.progress)),
            "progress_media_epoch": str(int(self.progress_media)),
            "end_epoch": str(int(end)),
            "end_uepoch": _microseconds(end),
            "duration": str(int(end - self.created)),
            "billsec": str(int(end - answered)) if answered else "0",
            "progresssec": str(int(self.progress - self.created)) if self.progress else "0",
            "progress_mediasec": str(int(self.progress_media - self.created)) if self.progress_media else "0",
            "waitsec": str(int(answered - self.created)) if answered else "0",
        }


def _microseconds(seconds: float) -> str:
    return str(int(seconds * 1_000_000)) if seconds else "0"
