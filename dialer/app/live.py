"""The live view's source: FreeSWITCH's events become `call.update` messages (channel `calls`) and feed
the KPI windows (dialer.engine.kpi), whose `kpi.tick` messages go out every second (channel `kpi`).

Only the dialer's own calls count: those tagged with a `campaign_id` channel variable (probes too,
as campaign "probe"). Each call is followed from its CHANNEL_CREATE to its CHANNEL_HANGUP_COMPLETE, so
the board gets one Originated, one Answered, one AMD verdict and one Ended per call, as it needs.

Live answers are read off the events too, as the CDR path will classify the call
(dialer.engine.outcomes): an answered call that was sent to a queue, or that AMD did not call a
machine, fax or SIT, reached a person; bridged to an agent (bridge-agent-start) it is a connect,
hung up without one it is abandoned. So every replica, hearing the same events, keeps the same
windows, whichever of them dials the campaign."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from dialer.engine.kpi import AmdLabel, Answered, Ended, KpiBoard, LiveAnswer, Originated, amd_label
from dialer.freeswitch import events as ev
from dialer.freeswitch.causes import cause_of

log = logging.getLogger(__name__)
Publish = Callable[[str, dict[str, Any]], Awaitable[None]]
# call.update's states for how a call ended, by hangup cause (anything else is Hangup).
ENDED_AS = {"NO_ANSWER": "NoAnswer", "NO_USER_RESPONSE": "NoAnswer", "ORIGINATOR_CANCEL": "NoAnswer"}
TONE_STATE = {"FAX": "Fax", "SIT": "Sit"}
NOT_A_PERSON = frozenset({"VOICEMAIL", "FAX", "SIT"})


@dataclass
class Followed:
    campaign: str | None
    trunk: str | None
    number: str
    answered: bool = False
    verdict: str | None = None
    queue: str | None = None
    agent: str | None = None
    queued: bool = False
    live_counted: bool = False
    said: tuple[str, str | None, str | None] | None = None  # the last call.update's (state, agent, verdict)

    @property
    def reached_a_person(self) -> bool:
        return self.answered and (self.queued or self.verdict not in NOT_A_PERSON)


class LiveView:
    def __init__(self, publish: Publish, board: KpiBoard | None = None) -> None:
        self.publish = publish
        self.board = board or KpiBoard()
        self.calls: dict[str, Followed] = {}
        self._tasks: list[asyncio.Task[None]] = []

    def start(self, events: ev.Subscription) -> None:
        loop = asyncio.get_running_loop()
        self._tasks = [loop.create_task(self._consume(events)), loop.create_task(self._tick())]

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def _live_answer(self, call: Followed, abandoned: bool) -> None:
        if not call.live_counted:
            call.live_counted = True
            self.board.record(LiveAnswer(time.monotonic(), abandoned, call.campaign, call.trunk))

    # -- events ----------------------------------------------------------------------------------

    async def _consume(self, events: ev.Subscription) -> None:
        with events:
            async for event in events:
                try:
                    await self.on_event(event)
                except Exception:
                    log.exception("live view: event %s", event.name)

    async def on_event(self, event: ev.Event) -> None:
        if event.name == "callcenter::info":
            await self._on_callcenter(event)
            return
        uuid = event.uuid or ""
        now = time.monotonic()
        call = self.calls.get(uuid)
        if event.name == "CHANNEL_CREATE" and call is None and event.variable("campaign_id"):
            call = self.calls[uuid] = Followed(
                event.variable("campaign_id"),
                event.variable("trunk_id"),
                event.headers.get("Caller-Destination-Number", ""),
            )
            self.board.record(Originated(now, call.campaign, call.trunk))
            await self._update(uuid, call, "Dialing")
        if call is None:
            return
        if event.name in ("CHANNEL_PROGRESS", "CHANNEL_PROGRESS_MEDIA") and not call.answered:
            await self._update(uuid, call, "Ringing")
        elif event.name == "CHANNEL_ANSWER" and not call.answered:
            call.answered = True
            self.board.record(Answered(now, call.campaign, call.trunk))
            await self._update(uuid, call, "Connected")
        elif event.name in ("amd", "avmd::beep", "DETECTED_TONE") and call.answered and call.verdict is None:
            word = {"amd": event.headers.get("AMD-Result"), "avmd::beep": "VOICEMAIL"}.get(
                event.name, event.headers.get("Detected-Tone")
            )
            call.verdict = amd_label(word)
            self.board.record(AmdLabel(now, call.verdict, call.campaign, call.trunk))
            if call.verdict in ("VOICEMAIL", "FAX", "SIT"):
                await self._update(uuid, call, {"VOICEMAIL": "Voicemail", **TONE_STATE}[call.verdict])
        elif event.name in ("CHANNEL_HANGUP_COMPLETE", ev.CALL_LOST):
            self.calls.pop(uuid, None)
            cause = cause_of(event.headers) if event.name == "CHANNEL_HANGUP_COMPLETE" else None
            if call.answered and call.verdict is None:
                self.board.record(AmdLabel(now, "UNKNOWN", call.campaign, call.trunk))
            if call.reached_a_person:
                self._live_answer(call, abandoned=True)  # no agent took it (a bridge counted it already)
            billsec = _number(event.variable("billsec"))
            self.board.record(Ended(now, call.answered, billsec, call.campaign, call.trunk))
            state = "Hangup" if call.answered or cause is None else ENDED_AS.get(cause.name, "Hangup")
            if not call.answered and cause is not None and cause.name == "UNALLOCATED_NUMBER":
                state = "Sit" if event.variable("detected_tone") == "SIT" else state
            await self._update(uuid, call, state, sip=cause.sip_status if cause else None, billsec=billsec)

    async def _on_callcenter(self, event: ev.Event) -> None:
        headers = event.headers
        uuid = headers.get("CC-Member-Session-UUID", "")
        call = self.calls.get(uuid)
        if call is None:
            return
        call.queue = headers.get("CC-Queue") or call.queue
        action = headers.get("CC-Action")
        if action == "member-queue-start":
            call.queued = True
        elif action == "bridge-agent-start":
            call.agent = headers.get("CC-Agent")
            if call.answered:
                self._live_answer(call, abandoned=False)
            await self._update(uuid, call, "Connected")

    async def _update(self, uuid: str, call: Followed, state: str, sip: int | None = None, billsec: float = 0) -> None:
        said = (state, call.agent, call.verdict)
        if said == call.said:  # e.g. 180 then 183: still Ringing; a change of state is what is told
            return
        call.said = said
        message = {
            "type": "call.update",
            "uuid": uuid,
            "ts": int(time.time() * 1000),
            "campaignId": call.campaign,
            "trunkId": call.trunk,
            "number": call.number,
            "state": state,
            "sip": str(sip) if sip is not None else None,
            "amd": {"label": call.verdict, "conf": None} if call.verdict else None,
            "queue": call.queue,
            "agentId": call.agent,
            "billsec": int(billsec),
        }
        await self.publish("calls", message)

    # -- ticks -----------------------------------------------------------------------------------

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(1.0 - time.time() % 1.0)
            try:
                for message in self.board.tick(time.monotonic(), time.time()):
                    await self.publish("kpi", message)
            except Exception:  # the next second tries again
                log.exception("kpi tick failed")


def _number(text: str | None) -> float:
    try:
        return max(0.0, float(text or 0))
    except ValueError:
        return 0.0
