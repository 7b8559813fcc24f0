"""An outbound call as the controller asks for it (Originate) and follows it (Call)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field

from dialer.freeswitch.causes import HangupCause, cause_named, cause_of
from dialer.freeswitch.events import Event
from dialer.freeswitch.switchio_compat import build_originate_cmd

# Characters that would end a `{var=value}` item or the originate argument it sits in.
_UNSAFE = set(",{}[]'\n\r")


def _value(value: object) -> str:
    text = str(value)
    if _UNSAFE & set(text):
        raise ValueError(f"channel variable value {text!r} contains one of , {{ }} [ ] ' or a newline")
    return f"'{text}'" if " " in text else text


@dataclass(frozen=True)
class Originate:
    destination: str
    trunk_id: str
    campaign_id: str | int
    list_id: str | int
    lead_id: str | int
    caller_id_name: str = "Dialer"
    caller_id_number: str = "0000000000"
    # Seconds of ringing before FreeSWITCH gives up with NO_ANSWER.
    timeout: int = 30
    # What the answered leg runs: park (the controller decides after AMD) or callcenter(<queue>).
    application: str = "park"
    application_args: str = ""
    variables: Mapping[str, str] = field(default_factory=dict)
    uuid: str = field(default_factory=lambda: str(uuid.uuid4()))

    def command(self) -> str:
        """`originate {vars}sofia/gateway/<trunk>/<number> &app(args)`, built by switchio.

        ignore_early_media=false: the job returns on early media, so ring, 183 and AMD events reach
        the dialer (switchio's default, true, would hide everything until answer)."""
        variables = {
            "ignore_early_media": "false",
            "campaign_id": self.campaign_id,
            "list_id": self.list_id,
            "lead_id": self.lead_id,
            "trunk_id": self.trunk_id,
            **self.variables,
        }
        return build_originate_cmd(
            _value(self.destination),
            uuid_str=self.uuid,
            gateway=_value(self.trunk_id),
            app_name=self.application,
            app_arg_str=self.application_args,
            timeout=self.timeout,
            caller_id=_value(self.caller_id_name),
            caller_id_num=_value(self.caller_id_number),
            abs_codec="PCMU",
            **{name: _value(value) for name, value in variables.items()},
        )


@dataclass(frozen=True, slots=True)
class OriginateResult:
    """What BACKGROUND_JOB said: the call reached early media or answer, or failed with a cause."""

    ok: bool
    cause: HangupCause | None = None


class Call:
    """State of one originated call, fed by its node's events."""

    def __init__(self, request: Originate, node: str, loop: asyncio.AbstractEventLoop) -> None:
        self.request = request
        self.uuid = request.uuid
        self.node = node
        self.job_uuid: str | None = None
        # originating -> ringing -> early -> answered -> hungup (any step may be skipped)
        self.state = "originating"
        self.amd_result: str | None = None
        self.beep = False
        self.result: asyncio.Future[OriginateResult] = loop.create_future()
        self.ended: asyncio.Future[HangupCause] = loop.create_future()

    @property
    def tags(self) -> dict[str, str]:
        r = self.request
        return {
            "variable_campaign_id": str(r.campaign_id),
            "variable_list_id": str(r.list_id),
            "variable_lead_id": str(r.lead_id),
            "variable_trunk_id": r.trunk_id,
        }

    def job_done(self, job: asyncio.Future[str]) -> None:
        if self.result.done() or job.cancelled() or job.exception() is not None:
            return  # the node went away: CALL_LOST or a hangup event will settle the call
        body = job.result().strip()
        if body.startswith("+OK"):
            self.result.set_result(OriginateResult(True))
            return
        cause = cause_named(body.removeprefix("-ERR").strip() or "UNSPECIFIED")
        self.result.set_result(OriginateResult(False, cause))
        if self.state == "originating" and not self.ended.done():
            # No channel was ever created (bad gateway, no route...): no hangup event will come.
            self.state = "hungup"
            self.ended.set_result(cause)

    def on_event(self, event: Event) -> None:
        name = event.name
        if name == "CHANNEL_PROGRESS" and self.state == "originating":
            self.state = "ringing"
        elif name == "CHANNEL_PROGRESS_MEDIA" and self.state in ("originating", "ringing"):
            self.state = "early"
        elif name == "CHANNEL_ANSWER":
            self.state = "answered"
        elif name == "amd":
            self.amd_result = event.headers.get("AMD-Result")
        elif name == "avmd::beep":
            self.beep = True
        elif name == "CHANNEL_HANGUP":
            self.state = "hungup"
        elif name == "CHANNEL_HANGUP_COMPLETE":
            self.state = "hungup"
            if not self.ended.done():
                self.ended.set_result(cause_of(event.headers))

    def lose(self, cause: HangupCause) -> None:
        """The node went away with this call on it."""
        self.state = "hungup"
        if not self.result.done():
            self.result.set_result(OriginateResult(False, cause))
        if not self.ended.done():
            self.ended.set_result(cause)
