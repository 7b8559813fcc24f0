"""One running campaign's calls, from dial to hangup, as FreeSWITCH's events tell them.

A call is dialled parked (`&park()`). On answer the campaign's AMD engine is started (`amd.engine`):
mod_amd (`amd <uuid> start`) for `amd`, mod_avmd (`avmd <uuid> start`) for `avmd`, both for `hybrid`.
mod_amd's verdict decides (a MACHINE below `amd.minConfidence`, when the event carries a confidence,
counts as NOTSURE); mod_avmd names no human, so with `avmd` alone a call that has not beeped within
`amd.windowMs` of the answer is a person, and a beep before then a machine. A fax or SIT tone ends the
call when `amd.detectFax` / `amd.detectSIT` is on, and is ignored otherwise. A human is sent to the campaign's
mod_callcenter queue (`uuid_transfer <uuid> callcenter:<queue> inline`) and must be bridged to an
agent within the patience (the safe harbor, 2 s by default) or it is abandoned: it hears the
safe-harbor message and is hung up, and counts against the abandon cap. A machine, a fax or a SIT
is hung up. With AMD off (`engine: none`) every answer is treated as a human.

An AMD audit: a share of the machine verdicts (the campaign's `amd.auditShare`) is sent to the queue
like a human, marked `dialer_amd_audit=true` on the channel (so its CDR says so); the agent's
disposition then tells whether AMD was right (VOICEMAIL) or was about to hang up on a person. Such a
call is handled, and counted, exactly as a human would be.

Each finished dial is reported to the pacer (`DialOutcome`); dispositions come later, from the CDR.
AMD's latency (answer to verdict) is set on the channel as `amd_latency_ms`, for the CDR."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from dialer.engine.pacing import DialOutcome
from dialer.freeswitch import events as ev
from dialer.freeswitch.causes import HangupCause, cause_of

log = logging.getLogger(__name__)
Api = Callable[[str], Awaitable[object]]

MACHINE = frozenset({"MACHINE"})
VOICE_ENGINES = frozenset({"amd", "hybrid"})  # mod_amd: HUMAN, MACHINE or NOTSURE
BEEP_ENGINES = frozenset({"avmd", "hybrid"})  # mod_avmd: a voicemail beep
HUNG_UP = frozenset({"CHANNEL_HANGUP_COMPLETE", ev.CALL_LOST})


@dataclass
class LiveCall:
    uuid: str
    lead_id: int
    trunk: str
    dialled_at: float
    answered_at: float | None = None
    amd_at: float | None = None
    # human: waiting for an agent since amd_at; then bridged or abandoned
    human: bool = False
    bridged: bool = False
    abandoned: bool = False
    machine: bool = False
    audit: bool = False
    reported: bool = False
    timer: asyncio.TimerHandle | None = field(default=None, repr=False)

    @property
    def waiting(self) -> bool:
        return self.human and not self.bridged and not self.abandoned

    @property
    def settling(self) -> bool:
        """May still become a human for an agent (the pacer's `dialled_at`)."""
        return not self.human and not self.machine


@dataclass(frozen=True)
class CallRules:
    queue: str
    amd: str = "hybrid"  # the campaign's amd.engine: none | amd | avmd | hybrid
    window_s: float = 0.9
    min_confidence: float = 0.7
    detect_fax: bool = True
    detect_sit: bool = True
    patience_s: float = 2.0
    safe_harbor: str = "ivr/ivr-thank_you_for_calling.wav"
    audit_share: float = 0.0


class CampaignCalls:
    """The calls in flight and what happens to them. `api` runs a command on the node that has
    the call; `report` gets each DialOutcome; `ended` each call's end, with its hangup cause."""

    def __init__(
        self,
        rules: CallRules,
        api: Callable[[str, str], Awaitable[object]],
        report: Callable[[DialOutcome], None],
        ended: Callable[[LiveCall, HangupCause | None], None],
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self.rules, self.api, self.report, self.clock = rules, api, report, clock
        self.rng = rng or random.Random()
        self.ended = ended
        self.calls: dict[str, LiveCall] = {}
        self._tasks: set[asyncio.Task[object]] = set()

    def add(self, call: LiveCall) -> None:
        self.calls[call.uuid] = call

    # -- events --------------------------------------------------------------------------------

    def on_event(self, event: ev.Event) -> None:
        if event.name == "callcenter::info":
            self._on_callcenter(event)
            return
        call = self.calls.get(event.uuid or "")
        if call is None:
            return
        now = self.clock()
        if event.name == "CHANNEL_ANSWER" and call.answered_at is None:
            call.answered_at = now
            self._answered(call, now)
        elif event.name == "amd" and call.amd_at is None and call.answered_at is not None:
            call.amd_at = now
            # mod_amd says what, not after how long: the CDR learns AMD's latency from us.
            self._run(f"uuid_setvar {call.uuid} amd_latency_ms {round((now - call.answered_at) * 1000)}", call)
            if not self._says_machine(event.headers):
                self._human(call, now)  # HUMAN, and NOTSURE too: hanging up on a person is the worse mistake
            elif self.rules.audit_share > 0 and self.rng.random() < self.rules.audit_share:
                call.audit = True
                self._run(f"uuid_setvar {call.uuid} dialer_amd_audit true", call)
                self._human(call, now)
            else:
                self._machine(call, now)
        elif self._machine_sign(event, call):
            self._machine(call, now)
        elif event.name in HUNG_UP:
            self._ended(call, now)
            self.ended(call, cause_of(event.headers) if event.name == "CHANNEL_HANGUP_COMPLETE" else None)

    def _answered(self, call: LiveCall, now: float) -> None:
        engine = self.rules.amd
        if engine not in VOICE_ENGINES | BEEP_ENGINES:  # none
            self._human(call, now)
            return
        if engine in VOICE_ENGINES:
            self._run(f"amd {call.uuid} start", call)
        if engine in BEEP_ENGINES:
            self._run(f"avmd {call.uuid} start", call)
        if engine not in VOICE_ENGINES:  # a beep is all mod_avmd can say: no beep in the window, a person
            call.timer = asyncio.get_running_loop().call_later(self.rules.window_s, self._no_beep, call)

    def _no_beep(self, call: LiveCall) -> None:
        if call.uuid in self.calls and call.settling:
            call.amd_at = self.clock()
            self._human(call, call.amd_at)

    def _says_machine(self, headers: Mapping[str, str]) -> bool:
        if headers.get("AMD-Result", "").upper() not in MACHINE:
            return False
        try:  # mod_amd gives no confidence; an engine that does may be too unsure to hang up
            return float(headers.get("AMD-Confidence", "")) >= self.rules.min_confidence
        except ValueError:
            return True

    def _machine_sign(self, event: ev.Event, call: LiveCall) -> bool:
        """A voicemail beep (when mod_avmd listens), or a fax or SIT tone the campaign detects."""
        if event.name == "avmd::beep":
            return self.rules.amd in BEEP_ENGINES
        if event.name != "DETECTED_TONE" or call.human:
            return False
        tone = event.headers.get("Detected-Tone", "").upper()
        fax = "FAX" in tone or "CNG" in tone or "CED" in tone
        return (fax and self.rules.detect_fax) or ("SIT" in tone and self.rules.detect_sit)

    def _on_callcenter(self, event: ev.Event) -> None:
        call = self.calls.get(event.headers.get("CC-Member-Session-UUID", ""))
        if call is None:
            return
        action = event.headers.get("CC-Action")
        if action == "bridge-agent-start" and not call.abandoned:
            call.bridged = True
            if call.timer is not None:
                call.timer.cancel()
            self._report_human(call)
        elif action == "member-queue-end" and event.headers.get("CC-Cause") == "Cancel" and call.waiting:
            self._abandon(call, play=False)

    def _human(self, call: LiveCall, now: float) -> None:
        if call.timer is not None:  # an avmd window still open
            call.timer.cancel()
        call.human = True
        call.amd_at = call.amd_at or now
        self._run(f"uuid_transfer {call.uuid} callcenter:{self.rules.queue} inline", call)
        call.timer = asyncio.get_running_loop().call_later(self.rules.patience_s, self._patience_over, call)

    def _patience_over(self, call: LiveCall) -> None:
        if call.waiting and call.uuid in self.calls:
            self._abandon(call, play=True)

    def _abandon(self, call: LiveCall, play: bool) -> None:
        call.abandoned = True
        if play:
            self._run(
                f"uuid_transfer {call.uuid} 'playback:{self.rules.safe_harbor},hangup:NORMAL_CLEARING' inline", call
            )
        self._report_human(call)

    def _report_human(self, call: LiveCall) -> None:
        if call.reported:
            return
        call.reported = True
        answer = (call.answered_at or self.clock()) - call.dialled_at
        self.report(DialOutcome.human(answer, abandoned=call.abandoned))

    def _machine(self, call: LiveCall, now: float) -> None:
        if call.machine or call.human:
            return
        call.machine = True
        answered = call.answered_at or now
        call.reported = True
        self.report(DialOutcome.machine(answered - call.dialled_at, now - answered))
        self._run(f"uuid_kill {call.uuid} NORMAL_CLEARING", call)

    def _ended(self, call: LiveCall, now: float) -> None:
        self.calls.pop(call.uuid, None)
        if call.timer is not None:
            call.timer.cancel()
        if call.waiting:  # hung up while waiting: abandoned as the law counts it
            call.abandoned = True
        if call.human:
            self._report_human(call)
        elif not call.reported:
            call.reported = True
            after = now - call.dialled_at
            if call.answered_at is not None:  # answered, hung up before AMD said anything
                self.report(DialOutcome.machine(call.answered_at - call.dialled_at, now - call.answered_at))
            else:
                self.report(DialOutcome.failed(after))

    def failed_to_dial(self, uuid: str, cause: HangupCause | None = None) -> None:
        call = self.calls.pop(uuid, None)
        if call is not None and not call.reported:
            call.reported = True
            self.report(DialOutcome.failed(self.clock() - call.dialled_at))
            self.ended(call, cause)

    def _run(self, command: str, call: LiveCall) -> None:
        task = asyncio.get_running_loop().create_task(self._api(call.uuid, command))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _api(self, uuid: str, command: str) -> None:
        try:
            answer = str(await self.api(uuid, command))
        except Exception as failed:
            log.warning("%s failed: %s", command, failed)
            return
        if answer.startswith("-ERR") and "No such channel" not in answer:
            log.warning("%s -> %s", command, answer.strip())

    # -- what the pacer sees ---------------------------------------------------------------------

    @property
    def in_flight(self) -> int:
        return len(self.calls)

    def dialled_at(self) -> tuple[float, ...]:
        return tuple(c.dialled_at for c in self.calls.values() if c.settling)

    def waiting_since(self) -> tuple[float, ...]:
        return tuple(c.amd_at or c.dialled_at for c in self.calls.values() if c.waiting)

    def connected(self) -> int:
        return sum(1 for c in self.calls.values() if c.bridged or (c.machine and c.uuid in self.calls))
