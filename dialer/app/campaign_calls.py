"""One running campaign's calls, from dial to hangup, as FreeSWITCH's events tell them.

A call is dialled parked (`&park()`). On answer, AMD decides: a human is sent to the campaign's
mod_callcenter queue (`uuid_transfer <uuid> callcenter:<queue> inline`) and must be bridged to an
agent within the patience (the safe harbor, 2 s by default) or it is abandoned: it hears the
safe-harbor message and is hung up, and counts against the abandon cap. A machine, a fax or a SIT
is hung up. With AMD off (`engine: none`) every answer is treated as a human.

Each finished dial is reported to the pacer (`DialOutcome`); dispositions come later, from the CDR."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from dialer.engine.pacing import DialOutcome
from dialer.freeswitch import events as ev
from dialer.freeswitch.causes import HangupCause, cause_of

log = logging.getLogger(__name__)
Api = Callable[[str], Awaitable[object]]

MACHINE = frozenset({"MACHINE"})
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
    amd: bool = True
    patience_s: float = 2.0
    safe_harbor: str = "ivr/ivr-thank_you_for_calling.wav"


class CampaignCalls:
    """The calls in flight and what happens to them. `api` runs a command on the node that has
    the call; `report` gets each DialOutcome; `counted` each live answer (abandoned or not)."""

    def __init__(
        self,
        rules: CallRules,
        api: Callable[[str, str], Awaitable[object]],
        report: Callable[[DialOutcome], None],
        counted: Callable[[bool, float, str], None],
        ended: Callable[[LiveCall, HangupCause | None], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rules, self.api, self.report, self.counted, self.clock = rules, api, report, counted, clock
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
            if not self.rules.amd:
                self._human(call, now)
        elif event.name == "amd" and call.amd_at is None and call.answered_at is not None:
            call.amd_at = now
            if event.headers.get("AMD-Result", "").upper() in MACHINE:
                self._machine(call, now)
            else:  # HUMAN, and NOTSURE too: hanging up on a person is the worse mistake
                self._human(call, now)
        elif event.name == "avmd::beep" or (event.name == "DETECTED_TONE" and not call.human):
            self._machine(call, now)
        elif event.name in HUNG_UP:
            self._ended(call, now)
            self.ended(call, cause_of(event.headers) if event.name == "CHANNEL_HANGUP_COMPLETE" else None)

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
        self.counted(call.abandoned, answer, call.trunk)

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
