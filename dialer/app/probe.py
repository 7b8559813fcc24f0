"""A test call through one trunk: originate, watch its events, hang up shortly after answer, and
report what happened (answered, SIP status, post-dial delay, hangup cause)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from dialer.freeswitch.calls import Originate
from dialer.freeswitch.cluster import Cluster, NoNodeAvailable
from dialer.graphql.errors import Conflict

# Seconds an answered probe stays up: enough for the far end to be heard in a trace, no more.
HOLD_AFTER_ANSWER = 1.0
PROGRESS = frozenset({"CHANNEL_PROGRESS", "CHANNEL_PROGRESS_MEDIA"})


async def probe_call(cluster: Cluster, trunk: str, e164: str, timeout: int) -> dict[str, Any]:
    request = Originate(
        destination=e164.lstrip("+"),
        trunk_id=trunk,
        campaign_id="probe",
        list_id="probe",
        lead_id="probe",
        timeout=timeout,
        variables={"dialer_probe": "true"},
    )
    started = time.monotonic()
    first_response: float | None = None
    answered = False
    with cluster.events() as events:
        try:
            call = await cluster.originate(request)
        except NoNodeAvailable as none:
            raise Conflict(f"cannot probe: {none}", {"trunk": trunk}) from None
        deadline = started + timeout + 15
        while not call.ended.done():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                await cluster.hangup(call.uuid, "RECOVERY_ON_TIMER_EXPIRE")
                break
            next_event = asyncio.ensure_future(events.__anext__())
            done, _ = await asyncio.wait(
                {next_event, call.ended}, timeout=remaining, return_when=asyncio.FIRST_COMPLETED
            )
            if next_event not in done:
                next_event.cancel()
                continue
            event = next_event.result()
            if event.uuid != call.uuid:
                continue
            if event.name in PROGRESS and first_response is None:
                first_response = time.monotonic()
            elif event.name == "CHANNEL_ANSWER" and not answered:
                answered = True
                first_response = first_response or time.monotonic()
                asyncio.get_running_loop().call_later(
                    HOLD_AFTER_ANSWER, lambda: asyncio.ensure_future(cluster.hangup(call.uuid))
                )
        cause = await asyncio.wait_for(asyncio.shield(call.ended), 5) if not call.ended.done() else call.ended.result()
    ended = time.monotonic()
    reached = first_response or ended
    return {
        "node": call.node,
        "answered": answered,
        "sip_status": cause.sip_status if cause.sip_status is not None else (200 if answered else None),
        "pdd_ms": round((reached - started) * 1000),
        "hangup_cause": cause.name,
        "q850": cause.q850,
        "duration_ms": round((ended - started) * 1000),
    }
