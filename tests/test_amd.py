"""AMD as each campaign sets it (engine, windowMs, minConfidence, detectFax, detectSIT), on the loop's
CampaignCalls with a recording API; and AMD audits: a share of machine verdicts goes to an agent,
whose disposition measures how often AMD hangs up on people, counted through the real CDR intake and
dispositions and reported by runtime."""

from __future__ import annotations

import asyncio
import json
import random
from datetime import UTC, datetime, timedelta

from dialer.app.campaign_calls import CallRules, CampaignCalls, LiveCall
from dialer.freeswitch import events as ev
from tests.conftest import ADMIN, CONTRACT_CAMPAIGN, bearer
from tests.leads_helpers import import_csv, new_list

INTEGRATION = bearer("integration", "fs1")


def cdr(n: int, lead: int, amd: str, audit: bool, agent: str | None) -> dict[str, object]:
    end = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=n)
    body: dict[str, object] = {
        "uuid": f"c2f5a1de-0000-4000-8000-{n:012d}",
        "start_stamp": (end - timedelta(seconds=30)).strftime("%Y-%m-%d %H:%M:%S"),
        "answer_stamp": (end - timedelta(seconds=25)).strftime("%Y-%m-%d %H:%M:%S"),
        "end_stamp": end.strftime("%Y-%m-%d %H:%M:%S"),
        "hangup_cause": "NORMAL_CLEARING",
        "campaign_id": "cmp_1",
        "lead_id": f"lead_{lead}",
        "trunk_id": "gw_main",
        "queue": "sales",
        "amd_result": amd,
    }
    if audit:
        body["dialer_amd_audit"] = "true"
    if agent:
        body["agent_id"] = agent
    return body


def post(client, body: dict[str, object]) -> dict[str, object]:
    response = client.post(
        "/api/v1/cdr", content=json.dumps(body), headers={"content-type": "application/json", **INTEGRATION}
    )
    assert response.status_code == 200, response.text
    return response.json()


def dispose(client, lead: int, disposition: str) -> None:
    response = client.post(
        f"/api/v1/leads/lead_{lead}/disposition",
        json={"campaignId": "cmp_1", "disposition": disposition},
        headers=ADMIN,
    )
    assert response.status_code == 200, response.text


def test_audited_machine_verdicts_count_as_the_humans_they_may_be_and_measure_amd(client):
    assert client.post("/api/v1/campaigns", json=CONTRACT_CAMPAIGN, headers=ADMIN).status_code == 201
    list_id = new_list(client)
    rows = "".join(f"+1212555{1000 + n},Lead{n}\n" for n in range(1, 7))
    assert import_csv(client, list_id, ("phone,firstName\n" + rows).encode())["accepted"] == 6

    # Audited, bridged: the agent finds a person (SALE). Audited, no agent in time: abandoned, as
    # the person it may be would have been. Audited, bridged, truly a machine (VOICEMAIL).
    assert post(client, cdr(1, 1, "MACHINE", True, "1001"))["outcome"] == "HUMAN"
    assert post(client, cdr(2, 2, "MACHINE", True, None))["outcome"] == "ABANDONED"
    assert post(client, cdr(3, 3, "MACHINE", True, "1002"))["outcome"] == "HUMAN"
    # Not audited: hung up as machines. A human verdict the agent finds to be a machine.
    for n in (4, 5, 6, 7):
        assert post(client, cdr(n, 4, "MACHINE", False, None))["outcome"] == "VOICEMAIL"
    assert post(client, cdr(8, 5, "HUMAN", False, "1003"))["outcome"] == "HUMAN"
    dispose(client, 1, "SALE")
    dispose(client, 3, "VOICEMAIL")
    dispose(client, 5, "VOICEMAIL")

    runtime = client.get("/api/v1/campaigns/cmp_1/runtime", headers=ADMIN).json()
    assert runtime["amdAccuracy"] == {
        "machineVerdicts": 7,
        "audited": 3,
        "judged": 2,  # lead_2's call reached no agent
        "humans": 1,
        "humansHungUp": 2,  # 4 unaudited machine verdicts x 1 person in 2 judged
        "machinesPassed": 1,
    }
    # The abandoned audit counts against the cap like any live answer no agent took.
    assert (runtime["liveAnswers"], runtime["abandonRate"]) == (4, 0.25)


def amd_event(uuid: str, result: str) -> ev.Event:
    return ev.Event("fs1", "amd", {"Unique-ID": uuid, "AMD-Result": result})


def test_the_loop_audits_about_its_share_of_machine_verdicts_and_marks_them():
    async def scenario() -> tuple[int, list[str]]:
        commands: list[str] = []

        async def api(uuid: str, command: str) -> object:
            commands.append(command)
            return "+OK"

        calls = CampaignCalls(
            CallRules(queue="sales", audit_share=0.25),
            api,
            lambda outcome: None,
            lambda call, cause: None,
            rng=random.Random(7),
        )
        for n in range(400):
            uuid = f"u{n}"
            calls.add(LiveCall(uuid, n, "gw", 0.0))
            calls.on_event(ev.Event("fs1", "CHANNEL_ANSWER", {"Unique-ID": uuid}))
            calls.on_event(amd_event(uuid, "MACHINE"))
        await asyncio.sleep(0)
        audited = sum(1 for call in calls.calls.values() if call.audit)
        for call in calls.calls.values():
            if call.timer is not None:
                call.timer.cancel()
        return audited, commands

    audited, commands = asyncio.run(scenario())
    assert 70 <= audited <= 130  # 25 % of 400, give or take a seeded draw
    marks = [c for c in commands if c.endswith("dialer_amd_audit true")]
    assert sum(1 for c in commands if " amd_latency_ms " in c) == 400  # the CDR's AMD latency
    transfers = [c for c in commands if "callcenter:sales" in c]
    kills = [c for c in commands if c.startswith("uuid_kill")]
    assert len(marks) == len(transfers) == audited and len(kills) == 400 - audited


def run_calls(rules: CallRules, script) -> list[str]:
    """Feed events to one call under `rules`; the commands the loop sent, in order."""

    async def scenario() -> list[str]:
        commands: list[str] = []

        async def api(uuid: str, command: str) -> object:
            commands.append(command)
            return "+OK"

        calls = CampaignCalls(rules, api, lambda outcome: None, lambda call, cause: None, rng=random.Random(1))
        calls.add(LiveCall("u1", 1, "gw", 0.0))
        for step in script:
            if isinstance(step, float):
                await asyncio.sleep(step)
            else:
                calls.on_event(ev.Event("fs1", step[0], {"Unique-ID": "u1", **step[1]}))
            await asyncio.sleep(0)
        for call in calls.calls.values():
            if call.timer is not None:
                call.timer.cancel()
        return commands

    return asyncio.run(scenario())


ANSWER = ("CHANNEL_ANSWER", {})


def verdict(commands: list[str]) -> str | None:
    for command in commands:
        if command.startswith("uuid_kill"):
            return "machine"
        if "callcenter:sales" in command:
            return "human"
    return None


def test_hybrid_starts_both_detectors_and_mod_amd_decides():
    commands = run_calls(CallRules("sales", amd="hybrid"), [ANSWER, amd_event_headers("HUMAN")])
    assert commands[:2] == ["amd u1 start", "avmd u1 start"] and verdict(commands) == "human"
    assert verdict(run_calls(CallRules("sales", amd="hybrid"), [ANSWER, ("avmd::beep", {})])) == "machine"


def test_avmd_alone_calls_a_person_whoever_has_not_beeped_within_the_window():
    rules = CallRules("sales", amd="avmd", window_s=0.05)
    quiet = run_calls(rules, [ANSWER, 0.1])
    assert quiet[0] == "avmd u1 start" and "amd u1 start" not in quiet and verdict(quiet) == "human"
    assert verdict(run_calls(rules, [ANSWER, ("avmd::beep", {}), 0.1])) == "machine"


def test_no_amd_sends_every_answer_to_an_agent_at_once():
    commands = run_calls(CallRules("sales", amd="none"), [ANSWER])
    assert verdict(commands) == "human" and not any(c.split()[0] in ("amd", "avmd") for c in commands)


def test_a_machine_verdict_below_min_confidence_is_not_hung_up():
    rules = CallRules("sales", amd="amd", min_confidence=0.7)
    assert verdict(run_calls(rules, [ANSWER, amd_event_headers("MACHINE", confidence="0.55")])) == "human"
    assert verdict(run_calls(rules, [ANSWER, amd_event_headers("MACHINE", confidence="0.9")])) == "machine"
    assert verdict(run_calls(rules, [ANSWER, amd_event_headers("MACHINE")])) == "machine"  # mod_amd: none


def test_fax_and_sit_tones_end_the_call_only_where_the_campaign_detects_them():
    fax, sit = ("DETECTED_TONE", {"Detected-Tone": "FAX"}), ("DETECTED_TONE", {"Detected-Tone": "SIT"})
    no_fax = CallRules("sales", amd="amd", detect_fax=False, detect_sit=True)
    assert verdict(run_calls(no_fax, [ANSWER, fax])) is None
    assert verdict(run_calls(no_fax, [ANSWER, sit])) == "machine"
    assert verdict(run_calls(CallRules("sales", amd="amd"), [ANSWER, fax])) == "machine"


def amd_event_headers(result: str, confidence: str | None = None) -> tuple[str, dict[str, str]]:
    headers = {"AMD-Result": result}
    if confidence is not None:
        headers["AMD-Confidence"] = confidence
    return ("amd", headers)
