"""Originate through the controller against the simulator: the lifecycle and each failure path."""

from __future__ import annotations

import asyncio

import pytest

from dialer.freeswitch.calls import Originate
from dialer.freeswitch.causes import cause_of
from dialer.freeswitch.node import Node
from tests.freeswitch.conftest import next_event


def dial(trunk: str, **extra: object) -> Originate:
    return Originate("15551230000", trunk, campaign_id=7, list_id=3, lead_id=42, **extra)  # type: ignore[arg-type]


def test_originate_command_carries_the_dialer_variables() -> None:
    command = dial("gw_main", caller_id_name="Ventas Q1").command()
    assert command.startswith("originate {")
    for part in ("ignore_early_media=false", "campaign_id=7", "list_id=3", "lead_id=42", "trunk_id=gw_main"):
        assert part in command
    assert "origination_caller_id_name='Ventas Q1'" in command
    assert "}sofia/gateway/gw_main/15551230000 &park()" in command
    with pytest.raises(ValueError):
        dial("gw,evil").command()


async def test_answered_call_lifecycle(node: Node) -> None:
    with node.events() as events:
        call = await node.originate(dial("human"))
        assert (await asyncio.wait_for(call.result, 5)).ok
        cause = await asyncio.wait_for(call.ended, 5)
        seen = []
        while len(seen) < 9:
            seen.append(await next_event(events, lambda e: e.uuid == call.uuid or e.name == "BACKGROUND_JOB"))
    names = [e.name for e in seen]
    assert names == [
        "CHANNEL_CREATE",
        "CHANNEL_PROGRESS",
        "CHANNEL_PROGRESS_MEDIA",
        "BACKGROUND_JOB",  # ignore_early_media=false: originate returns on early media
        "CHANNEL_ANSWER",
        "CHANNEL_PARK",
        "amd",
        "CHANNEL_HANGUP",
        "CHANNEL_HANGUP_COMPLETE",
    ]
    assert cause.name == "NORMAL_CLEARING" and cause.q850 == 16 and cause.sip_status == 200
    create, complete = seen[0], seen[-1]
    for name, value in (("campaign_id", "7"), ("list_id", "3"), ("lead_id", "42"), ("trunk_id", "human")):
        assert create.variable(name) == value
    assert create.headers["Unique-ID"] == call.uuid and create.headers["Answer-State"] == "ringing"
    assert complete.variable("sip_hangup_disposition") == "recv_bye"
    assert complete.variable("amd_result") == "HUMAN" and call.amd_result == "HUMAN"
    assert int(complete.variable("billsec") or -1) >= 0
    assert call.state == "hungup" and call.uuid not in node.calls


@pytest.mark.parametrize(
    ("trunk", "name", "q850", "sip"),
    [
        ("busy", "USER_BUSY", 17, 486),
        ("sip480", "NO_USER_RESPONSE", 18, 480),
        ("sip404", "UNALLOCATED_NUMBER", 1, 404),
        ("sip503", "NORMAL_TEMPORARY_FAILURE", 41, 503),
    ],
)
async def test_sip_failures(node: Node, trunk: str, name: str, q850: int, sip: int) -> None:
    call = await node.originate(dial(trunk))
    result = await asyncio.wait_for(call.result, 5)
    assert not result.ok and result.cause is not None and result.cause.name == name
    cause = await asyncio.wait_for(call.ended, 5)
    assert (cause.name, cause.q850, cause.sip_status) == (name, q850, sip)


async def test_no_answer_times_out(node: Node) -> None:
    call = await node.originate(dial("no_answer", timeout=1))
    result = await asyncio.wait_for(call.result, 5)
    assert not result.ok and result.cause and result.cause.name == "NO_ANSWER"
    assert call.state == "hungup" and (await call.ended).sip_status == 487


async def test_sit_tone_then_hangup(node: Node) -> None:
    with node.events() as events:
        call = await node.originate(dial("sit"))
        tone = await next_event(events, lambda e: e.name == "DETECTED_TONE" and e.uuid == call.uuid)
        assert tone.headers["Detected-Tone"] == "SIT"
        assert (await asyncio.wait_for(call.result, 5)).ok  # early media came first
        assert (await asyncio.wait_for(call.ended, 5)).name == "UNALLOCATED_NUMBER"


async def test_voicemail_amd_and_beep(node: Node) -> None:
    with node.events() as events:
        call = await node.originate(dial("voicemail"))
        amd = await next_event(events, lambda e: e.name == "amd" and e.uuid == call.uuid)
        beep = await next_event(events, lambda e: e.name == "avmd::beep" and e.uuid == call.uuid)
    assert amd.headers["AMD-Result"] == "MACHINE" and amd.variable("amd_result") == "MACHINE"
    assert beep.headers["Beep-Status"] == "DETECTED"
    await asyncio.wait_for(call.ended, 5)
    assert call.amd_result == "MACHINE" and call.beep


async def test_fax_tone(node: Node) -> None:
    with node.events() as events:
        call = await node.originate(dial("fax", variables={"origination_caller_id_number": "100"}))
        tone = await next_event(events, lambda e: e.name == "DETECTED_TONE" and e.uuid == call.uuid)
    assert tone.headers["Detected-Tone"] == "FAX_CNG"
    assert (await asyncio.wait_for(call.ended, 5)).name == "NORMAL_CLEARING"


async def test_controller_hangs_up_an_answered_call(node: Node) -> None:
    call = await node.originate(dial("slow"))
    assert (await asyncio.wait_for(call.result, 5)).ok
    while call.state != "answered":
        await asyncio.sleep(0.01)
    assert await node.hangup(call.uuid, "NORMAL_CLEARING")
    cause = await asyncio.wait_for(call.ended, 5)
    assert cause.name == "NORMAL_CLEARING"
    assert not await node.hangup(call.uuid)  # -ERR No such channel!


async def test_error_endpoint_and_ignore_early_media(node: Node) -> None:
    job = await node.bgapi("originate error/USER_BUSY &park()")
    assert await asyncio.wait_for(job.result, 5) == "-ERR USER_BUSY\n"
    call = await node.originate(dial("ringing", variables={"ignore_early_media": "true"}))
    assert (await asyncio.wait_for(call.result, 5)).ok
    assert call.state == "answered"  # the job waited for the answer


def test_hangup_causes_are_normalised() -> None:
    cause = cause_of({"Hangup-Cause": "USER_BUSY", "variable_sip_term_status": "486"})
    assert (cause.name, cause.q850, cause.sip_status) == ("USER_BUSY", 17, 486)
    cause = cause_of({"variable_hangup_cause": "NO_ANSWER", "variable_proto_specific_hangup_cause": "sip:487"})
    assert (cause.name, cause.q850, cause.sip_status) == ("NO_ANSWER", 19, 487)
    assert cause_of({"hangup_cause": "CALL_REJECTED"}).sip_status == 603
