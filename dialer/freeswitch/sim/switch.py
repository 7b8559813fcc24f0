"""One simulated FreeSWITCH: API commands, originate with call models, AMD, mod_callcenter, CDRs.

Pure: it reads time from an injected Clock, hands every event to its subscribers and every CDR to
its CDR sink, and asks its configuration source (mod_xml_curl, or a test's fake) for documents. The
ESL server, the CDR poster and the xml_curl fetcher are the I/O around it; a benchmark can run it on
a VirtualClock with no socket at all. An event is a dict of headers in order; a body, if any, is
under "_body"."""

from __future__ import annotations

import random
import time
import uuid as uuids
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dialer.freeswitch.causes import CAUSE_TO_SIP, Q850, SIP_TO_CAUSE
from dialer.freeswitch.sim.api import Commands
from dialer.freeswitch.sim.callcenter import CallCenter
from dialer.freeswitch.sim.channel import Channel
from dialer.freeswitch.sim.clock import Clock
from dialer.freeswitch.sim.models import CallPlan, TrunkModel, draw_plan, trunk_rng
from dialer.freeswitch.sim.originate import (
    PHRASES,
    Done,
    OriginateArgs,
    Originating,
    seconds,
)

# (config name, REQUEST_PARAMS headers, found): `found` gets the `<configuration name=...>` element
# (now or later), or None when the source has none: FreeSWITCH then reads its static files.
ConfigSource = Callable[[str, Mapping[str, str], Callable[[Any], None]], None]
DEFAULT_QUEUES: Mapping[str, Mapping[str, Any]] = {
    "sales": {"strategy": "longest-idle-agent"},
    "support": {"strategy": "ring-all"},
}


@dataclass
class SwitchConfig:
    hostname: str = "sim-fs1"
    seed: int | str = 0
    trunks: Mapping[str, TrunkModel] = field(default_factory=dict)
    # Model for gateways not listed in `trunks`.
    default_trunk: TrunkModel = field(default_factory=TrunkModel)
    queues: Mapping[str, Mapping[str, Any]] = field(default_factory=lambda: dict(DEFAULT_QUEUES))
    agent_answer_delay: float = 1.0
    max_sessions: int = 10_000


class Switch:
    def __init__(self, clock: Clock, config: SwitchConfig | None = None) -> None:
        self.clock = clock
        self.config = config or SwitchConfig()
        self.core_uuid = str(uuids.uuid4())
        self.channels: dict[str, Channel] = {}
        self.subscribers: list[Callable[[dict[str, str]], None]] = []
        self.cdr_sink: Callable[[dict[str, Any]], None] | None = None
        self.config_source: ConfigSource | None = None
        self._sequence = 0
        self._rngs: dict[str, random.Random] = {}
        self.started = clock.wall()
        self.sessions_total = 0
        self.commands = Commands(self)
        self.callcenter = CallCenter(
            clock, self._callcenter_event, trunk_rng(self.config.seed, "#callcenter"),
            self.config.queues, self.config.agent_answer_delay,
        )  # fmt: skip

    # -- events ------------------------------------------------------------------------------

    def fire(self, name: str, headers: Mapping[str, str], body: str | None = None, subclass: str | None = None) -> None:
        calling = "switch_channel.c" if name.startswith("CHANNEL_") else "mod_sim.c"
        event = self._headers(name, calling, "switch_channel_perform_" + name[8:].lower())
        if subclass:
            event["Event-Subclass"] = subclass
        event.update(headers)
        if body is not None:
            event["_body"] = body
        for subscriber in self.subscribers:
            subscriber(event)

    def request_params(self, calling_file: str, calling_function: str, headers: Mapping[str, str]) -> dict[str, str]:
        """A REQUEST_PARAMS event as switch_event_create makes it (the standard headers), plus
        `headers`: what an XML lookup hands its bindings (mod_xml_curl posts them)."""
        return {**self._headers("REQUEST_PARAMS", calling_file, calling_function), **headers}

    def _headers(self, name: str, calling_file: str, calling_function: str) -> dict[str, str]:
        self._sequence += 1
        wall = self.clock.wall()
        return {
            "Event-Name": name,
            "Core-UUID": self.core_uuid,
            "FreeSWITCH-Hostname": self.config.hostname,
            "FreeSWITCH-Switchname": self.config.hostname,
            "FreeSWITCH-IPv4": "127.0.0.1",
            "FreeSWITCH-IPv6": "::1",
            "Event-Date-Local": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(wall)),
            "Event-Date-GMT": time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(wall)),
            "Event-Date-Timestamp": str(int(wall * 1_000_000)),
            "Event-Calling-File": calling_file,
            "Event-Calling-Function": calling_function,
            "Event-Calling-Line-Number": "1",
            "Event-Sequence": str(self._sequence),
        }

    def _channel_event(self, name: str, channel: Channel) -> None:
        self.fire(name, channel.headers())

    def _callcenter_event(self, headers: dict[str, str], member: Any) -> None:
        extra = member.headers() if isinstance(member, Channel) else {}
        self.fire("CUSTOM", {**extra, **headers}, subclass="callcenter::info")

    # -- API ---------------------------------------------------------------------------------

    def api(self, command: str, args: str, done: Done) -> None:
        """Run one API command (dialer.freeswitch.sim.api); `done(output)` is called now, or later
        (originate, and a callcenter_config that waits for its configuration source)."""
        self.commands.run(command, args, done)

    # -- calls -------------------------------------------------------------------------------

    def originate(self, request: OriginateArgs, done: Done) -> Channel:
        """Create the channel, draw its plan from the trunk's model, and schedule what follows."""
        now = self.clock.wall()
        variables = dict(request.variables)
        channel_uuid = variables.get("origination_uuid") or str(uuids.uuid4())
        variables.update(
            {
                "uuid": channel_uuid,
                "call_uuid": channel_uuid,
                "direction": "outbound",
                "is_outbound": "true",
                "destination_number": request.destination,
                "sip_gateway_name": request.trunk,
            }
        )
        channel = Channel(channel_uuid, request.channel_name, request.destination, request.trunk, variables, now)
        channel.application, channel.application_args = request.application, request.application_args
        channel.bridge = self._bridged
        self.channels[channel_uuid] = channel
        self.sessions_total += 1
        self._channel_event("CHANNEL_CREATE", channel)
        state = Originating(
            done, variables.get("ignore_early_media") == "true", variables.get("return_ring_ready") == "true"
        )
        channel.job = state
        if request.error_cause:  # error/<CAUSE> endpoint
            self.hangup(channel, request.error_cause, None)
            return channel
        model = self.config.trunks.get(request.trunk, self.config.default_trunk)
        rng = self._rngs.setdefault(request.trunk, trunk_rng(self.config.seed, request.trunk))
        plan = draw_plan(model, rng)
        timeout = seconds(variables.get("originate_timeout"), 60.0)
        later = self.clock.call_later
        if plan.outcome in ("sip", "busy"):
            channel.timers.append(later(plan.pdd, self._refused, channel, plan))
            return channel
        channel.timers.append(later(plan.pdd, self._progress, channel, plan, state))
        if plan.outcome == "no_answer":
            channel.timers.append(later(max(timeout, plan.pdd), self._timeout, channel))
        elif plan.outcome == "sit":
            channel.timers.append(later(plan.pdd + plan.ring, self._sit, channel))
        elif plan.pdd + plan.ring >= timeout:
            channel.timers.append(later(timeout, self._timeout, channel))
        else:
            channel.timers.append(later(plan.pdd + plan.ring, self._answer, channel, plan, state))
        return channel

    def _refused(self, channel: Channel, plan: CallPlan) -> None:
        status = plan.sip_status or 486
        cause = SIP_TO_CAUSE.get(status, "NORMAL_TEMPORARY_FAILURE")
        channel.variables.update(
            {"sip_invite_failure_status": str(status), "sip_invite_failure_phrase": PHRASES.get(status, "Error")}
        )
        self.hangup(channel, cause, "recv_refuse", sip_status=status)

    def _progress(self, channel: Channel, plan: CallPlan, state: Originating) -> None:
        now = self.clock.wall()
        channel.progress = now
        channel.call_state = "RINGING"
        self._channel_event("CHANNEL_PROGRESS", channel)
        if state.ring_ready:
            state.succeed(channel)
        if plan.early_media:
            channel.progress_media = now
            channel.call_state = "EARLY"
            channel.variables["endpoint_disposition"] = "EARLY MEDIA"
            self._channel_event("CHANNEL_PROGRESS_MEDIA", channel)
            if not state.ignore_early_media:
                state.succeed(channel)

    def _answer(self, channel: Channel, plan: CallPlan, state: Originating) -> None:
        channel.answered = self.clock.wall()
        channel.call_state = "ACTIVE"
        channel.variables["endpoint_disposition"] = "ANSWER"
        self._channel_event("CHANNEL_ANSWER", channel)
        state.succeed(channel)
        if channel.application == "callcenter":
            self.callcenter.join(channel, channel.application_args)
        else:
            self._channel_event("CHANNEL_PARK", channel)
        later = self.clock.call_later
        channel.timers.append(later(plan.amd_delay, self._amd, channel, plan))
        if plan.beep_after is not None:
            channel.timers.append(later(plan.beep_after, self._beep, channel))
        if plan.outcome == "fax":
            channel.timers.append(later(min(1.0, plan.talk / 2), self._tone, channel, "FAX_CNG"))
        channel.timers.append(later(plan.talk, self.hangup, channel, "NORMAL_CLEARING", "recv_bye"))

    def _amd(self, channel: Channel, plan: CallPlan) -> None:
        channel.variables.update({"amd_result": plan.amd or "NOTSURE", "amd_cause": plan.amd_cause or "TOOLONG"})
        headers = {**channel.headers(), "AMD-Result": plan.amd or "NOTSURE", "AMD-Cause": plan.amd_cause or "TOOLONG"}
        self.fire("CUSTOM", headers, subclass="amd")

    def _beep(self, channel: Channel) -> None:
        channel.variables["avmd_detect"] = "TRUE"
        beep = {"Beep-Status": "DETECTED", "Frequency": "1000.0", "Frequency-variance": "0.5", "Amplitude": "120.0"}
        self.fire("CUSTOM", {**channel.headers(), **beep, "Call-command": "avmd"}, subclass="avmd::beep")

    def _tone(self, channel: Channel, tone: str) -> None:
        channel.variables["detected_tone"] = tone
        self.fire("DETECTED_TONE", {**channel.headers(), "Detected-Tone": tone})

    def _sit(self, channel: Channel) -> None:
        self._tone(channel, "SIT")
        self.hangup(channel, "UNALLOCATED_NUMBER", "recv_bye", sip_status=404)

    def _timeout(self, channel: Channel) -> None:
        self.hangup(channel, "NO_ANSWER", "send_cancel", sip_status=487)

    def _bridged(self, channel: Channel, agent: str, agent_uuid: str) -> None:
        channel.variables.update({"bridge_uuid": agent_uuid, "last_bridge_to": agent_uuid})
        self.fire(
            "CHANNEL_BRIDGE", {**channel.headers(), "Other-Leg-Unique-ID": agent_uuid, "Other-Type": "originatee"}
        )

    def hangup(
        self,
        channel: Channel,
        cause: str,
        disposition: str | None,
        sip_status: int | None = None,
    ) -> None:
        if self.channels.pop(channel.uuid, None) is None:
            return
        channel.cancel_timers()
        channel.hungup = self.clock.wall()
        channel.hangup_cause = cause
        channel.call_state = "HANGUP"
        status = sip_status or (200 if channel.answered else CAUSE_TO_SIP.get(cause))
        variables = channel.variables
        variables.update({"hangup_cause": cause, "hangup_cause_q850": str(Q850.get(cause, 0))})
        if status:
            variables.update({"sip_term_status": str(status), "proto_specific_hangup_cause": f"sip:{status}"})
            variables["sip_term_cause"] = str(Q850.get(cause, 0))
        if disposition:
            variables["sip_hangup_disposition"] = disposition
        variables.setdefault("endpoint_disposition", "ANSWER" if channel.answered else "NO ANSWER")
        # A member whether it started in the callcenter app or was transferred there (uuid_transfer).
        self.callcenter.leave(channel, cause)
        self._channel_event("CHANNEL_HANGUP", channel)
        variables.update(channel.cdr_times())
        self._channel_event("CHANNEL_HANGUP_COMPLETE", channel)
        self._channel_event("CHANNEL_DESTROY", channel)
        if channel.job is not None:
            channel.job.fail(cause)
        if self.cdr_sink is not None:
            self.cdr_sink(self.cdr(channel))

    def cdr(self, channel: Channel) -> dict[str, Any]:
        """mod_json_cdr's document for one leg (values raw; the poster encodes them)."""
        headers = channel.headers()
        profile = {k[7:].lower().replace("-", "_"): v for k, v in headers.items() if k.startswith("Caller-")}
        return {
            "core-uuid": self.core_uuid,
            "switchname": self.config.hostname,
            "channel_data": {
                "state": "CS_REPORTING",
                "direction": "outbound",
                "state_number": "11",
                "flags": "",
                "caps": "",
            },
            "variables": dict(channel.variables),
            "app_log": {"applications": [{"app_name": channel.application, "app_data": channel.application_args}]},
            "callflow": [
                {"dialplan": "XML", "profile_index": "1", "caller_profile": profile, "times": channel.cdr_times()}
            ],
        }

    def restart(self) -> None:
        """A crash and restart: every channel vanishes without an event; a new Core-UUID."""
        for channel in self.channels.values():
            channel.cancel_timers()
        self.channels.clear()
        self.core_uuid = str(uuids.uuid4())
        self.started = self.clock.wall()
