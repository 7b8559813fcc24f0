"""A started campaign dials: through the embedded simulator over real ESL, humans reach agents
through mod_callcenter, CDRs come back in-process and move the leads, a human no agent takes
within the safe harbor is abandoned and counted, and a campaign that cannot dial says why."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from tortoise.exceptions import OperationalError

from dialer.app import campaign_loop
from dialer.freeswitch.sim import Dist
from dialer.models import Cdr
from tests.conftest import ADMIN, CONTRACT_CAMPAIGN, run
from tests.freeswitch.conftest import only
from tests.leads_helpers import import_csv, new_list

# Zones the lead may be in: one of them is always within the legal 8:00-21:00 (with margin): no two
# neighbours are 10 hours apart, so some zone is between 9:00 and 19:00 at any hour of the day.
ZONES = (
    "Pacific/Guam",
    "Asia/Kolkata",
    "Europe/London",
    "America/Puerto_Rico",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "Pacific/Pago_Pago",
)
TRUNKS = {
    "talk": only("human", talk=Dist("fixed", 1.5)),
    "busy": only("busy"),
}


def open_zone() -> str:
    now = datetime.now(UTC)
    for zone in ZONES:
        if 9 <= now.astimezone(ZoneInfo(zone)).hour < 19:
            return zone
    raise AssertionError("no zone open now")


def until(check: Callable[[], Any], seconds: float = 15) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found:
            return found
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


@pytest.fixture()
def center(client):
    """Fast simulated trunks; a queue with two agents; three leads callable now."""

    async def fast() -> None:
        services = client.app.state.services
        switch = services.simulator.switch
        switch.config.trunks = TRUNKS
        switch.config.agent_answer_delay = 0.02
        # A clean node and board: no call, agent or queue left from an earlier test.
        for channel in list(switch.channels.values()):
            switch.hangup(channel, "MANAGER_REQUEST", "send_bye")
        for name in [name for name in switch.callcenter.agents if name.startswith("20")]:
            del switch.callcenter.agents[name]
        switch.callcenter.tiers = {k: t for k, t in switch.callcenter.tiers.items() if not k[1].startswith("20")}
        services.switchboard.board.agents.clear()

    run(client, fast)
    list_id = new_list(client)
    zone = open_zone()
    csv = "phone,firstName,timezone\n" + "".join(f"+1212555010{i},Lead{i},{zone}\n" for i in range(3))
    assert import_csv(client, list_id, csv.encode())["accepted"] == 3
    assert client.post("/api/v1/queues", json={"name": "dial_q"}, headers=ADMIN).status_code == 201
    for agent in ("2001", "2002"):
        client.post("/api/v1/agents", json={"name": agent, "contact": f"user/{agent}"}, headers=ADMIN)
        client.post("/api/v1/queues/dial_q/tiers", json={"agent": agent}, headers=ADMIN)
    for trunk in TRUNKS:
        client.post("/api/v1/providers", json={"name": trunk, "host": "sim.local", "codecs": ["PCMU"]}, headers=ADMIN)
    return list_id


def campaign(client, list_id: str, trunk: str, **changes: Any) -> str:
    body = (
        CONTRACT_CAMPAIGN
        | {
            "type": "progressive",
            "listId": list_id,
            "queue": "dial_q",
            "trunkPolicy": {"weights": {trunk: 1}},
        }
        | changes
    )
    created = client.post("/api/v1/campaigns", json=body, headers=ADMIN)
    assert created.status_code == 201, created.text
    return created.json()["id"]


def agents_available(client, *names: str) -> None:
    for name in names:
        client.patch(f"/api/v1/agents/{name}/state", json={"status": "Available"}, headers=ADMIN)
    until(
        lambda: all(client.get(f"/api/v1/agents/{n}", headers=ADMIN).json()["liveStatus"] == "Available" for n in names)
    )


def leads(client, list_id: str) -> list[dict]:
    return client.get(f"/api/v1/lists/{list_id}/leads", headers=ADMIN).json()["items"]


def test_humans_reach_agents_and_cdrs_come_back(client, center):
    agents_available(client, "2001", "2002")
    cmp = campaign(client, center, "talk")
    assert client.post(f"/api/v1/campaigns/{cmp}/start", headers=ADMIN).status_code == 202

    # Every lead is dialled, answered, bridged to an agent; its CDR (HUMAN) arrives in-process.
    def humans() -> list[dict]:
        found = [client.get(f"/api/v1/leads/{lead['id']}", headers=ADMIN).json() for lead in leads(client, center)]
        return found if all(any(a["disposition"] == "HUMAN" for a in lead["history"]) for lead in found) else []

    found = until(humans, 30)
    assert all(lead["status"] == "in_progress" for lead in found)  # the agent records what it came to
    # AMD's latency, answer to verdict, reached each lead's CDR (these trunks' AMD takes ~10 ms). A
    # previous test's late CDR may land here too (ids restart with the tables): each lead is asked for.
    rows = run(client, lambda: Cdr.filter(campaign_id=cmp, outcome="HUMAN").values_list("lead_id", "amd_latency_ms"))
    timed = {lead for lead, ms in rows if ms is not None and 0 <= ms < 1000}
    assert timed >= {lead["id"] for lead in found}, rows
    # Each finished call taught the pacer the agents' handle time (talk 1.5 s + wrap-up 10 s).
    policy = client.app.state.services.runner.loops[int(cmp.removeprefix("cmp_"))].policy
    until(lambda: policy.model.handles >= 2, 10)
    assert 5 < policy.model.aht_s < 240
    client.post(f"/api/v1/campaigns/{cmp}/stop", headers=ADMIN)
    runtime = client.get(f"/api/v1/campaigns/{cmp}/runtime", headers=ADMIN).json()
    assert runtime["asr5m"] == 1.0 and runtime["acd"] >= 1


def test_busy_numbers_are_scheduled_for_retry(client, center):
    agents_available(client, "2001")
    cmp = campaign(client, center, "busy")
    client.post(f"/api/v1/campaigns/{cmp}/start", headers=ADMIN)
    done = until(lambda: all(lead["status"] == "retry_due" for lead in leads(client, center)), 30)
    assert done
    assert all(lead["lastDisposition"] == "BUSY" for lead in leads(client, center))
    client.post(f"/api/v1/campaigns/{cmp}/stop", headers=ADMIN)


def test_a_campaign_without_leads_leaves_a_shared_trunks_calls_per_second_to_the_other(client, center):
    """Two campaigns of this replica share one trunk's bucket of 1 call a second: the one whose list is
    empty asks for calls every second but takes no token, so the other dials all its leads."""
    assert client.patch("/api/v1/providers/busy", json={"maxCps": 1}, headers=ADMIN).status_code == 200
    agents_available(client, "2001")
    empty, dialing = campaign(client, new_list(client), "busy"), campaign(client, center, "busy")
    for cmp in (empty, dialing):
        assert client.post(f"/api/v1/campaigns/{cmp}/start", headers=ADMIN).status_code == 202
    assert until(lambda: all(lead["status"] == "retry_due" for lead in leads(client, center)), 30)
    for cmp in (empty, dialing):
        client.post(f"/api/v1/campaigns/{cmp}/stop", headers=ADMIN)


def test_a_failed_step_gives_its_leads_back_and_dialing_goes_on(client, center, monkeypatch):
    """The shared buckets' transaction fails once (the database went away for a moment): the leads
    it had claimed go back, runtime says so, and the next steps dial them all."""
    monkeypatch.setattr(campaign_loop, "RETRY_AFTER", 1.0)
    share = client.app.state.services.runner.trunk_share
    take, failed = share.take, []

    async def flaky(*args: Any) -> tuple[str, ...]:
        if not failed:
            failed.append(True)
            raise OperationalError("database is locked")
        return await take(*args)

    monkeypatch.setattr(share, "take", flaky)
    agents_available(client, "2001")
    cmp = campaign(client, center, "busy")
    assert client.post(f"/api/v1/campaigns/{cmp}/start", headers=ADMIN).status_code == 202
    reason = until(lambda: failed and client.get(f"/api/v1/campaigns/{cmp}/runtime", headers=ADMIN).json()["reason"])
    assert reason == "the dialing step failed (OperationalError); trying again"
    assert until(lambda: all(lead["status"] == "retry_due" for lead in leads(client, center)), 30)
    client.post(f"/api/v1/campaigns/{cmp}/stop", headers=ADMIN)


def test_a_campaign_that_cannot_dial_says_why(client, center):
    cmp = campaign(client, center, "talk")
    client.post(f"/api/v1/campaigns/{cmp}/start", headers=ADMIN)
    reason = until(
        lambda: (lambda why: why if why and why != "starting" else None)(
            client.get(f"/api/v1/campaigns/{cmp}/runtime", headers=ADMIN).json()["reason"]
        )
    )
    assert reason == "no agent is available (logged out or on break)"
    assert all(lead["status"] == "new" for lead in leads(client, center))
    client.post(f"/api/v1/campaigns/{cmp}/pause", headers=ADMIN)
    assert client.get(f"/api/v1/campaigns/{cmp}/runtime", headers=ADMIN).json()["reason"] is None


def test_a_campaign_whose_trunks_cannot_carry_a_call_says_which_and_why(client, center):
    agents_available(client, "2001")
    cmp = campaign(client, center, "gw_nowhere")
    client.post(f"/api/v1/campaigns/{cmp}/start", headers=ADMIN)
    reason = until(
        lambda: (lambda why: why if why and why.startswith("no trunk") else None)(
            client.get(f"/api/v1/campaigns/{cmp}/runtime", headers=ADMIN).json()["reason"]
        )
    )
    assert reason == "no trunk can take a call: its trunks are disabled (no provider is named gw_nowhere)"
    assert all(lead["status"] == "new" for lead in leads(client, center))  # nothing claimed, nothing lost
    client.post(f"/api/v1/campaigns/{cmp}/stop", headers=ADMIN)


def test_a_human_no_agent_takes_in_time_is_abandoned(client, center):
    """Power dialling three lines for one agent: two humans find no agent within 2 s."""
    agents_available(client, "2001")
    cmp = campaign(client, center, "talk", type="power", pacing=3)
    client.post(f"/api/v1/campaigns/{cmp}/start", headers=ADMIN)

    def outcomes() -> list[str]:
        found = [client.get(f"/api/v1/leads/{lead['id']}", headers=ADMIN).json() for lead in leads(client, center)]
        return [a["disposition"] for lead in found for a in lead["history"]]

    seen = until(lambda: (lambda o: o if len(o) >= 3 else None)(outcomes()), 30)
    client.post(f"/api/v1/campaigns/{cmp}/stop", headers=ADMIN)
    assert seen.count("ABANDONED") >= 1 and seen.count("HUMAN") >= 1, seen
    runtime = client.get(f"/api/v1/campaigns/{cmp}/runtime", headers=ADMIN).json()
    assert runtime["liveAnswers"] == 3 and runtime["abandonRate"] == round(seen.count("ABANDONED") / 3, 4)
    # The live window read the same verdicts off the events (any replica would: no engine told it).
    live = client.app.state.services.live.board.snapshot("campaign", cmp, time.monotonic())
    assert (live.live60s, live.abandoned60s) == (3, seen.count("ABANDONED"))


def test_the_campaigns_own_window_narrows_the_law(client, center):
    agents_available(client, "2001")
    local = datetime.now(UTC).astimezone(ZoneInfo(open_zone()))
    closed = "mon-sun 19:00-20:00" if local.hour < 15 else "mon-sun 08:00-09:00"
    cmp = campaign(client, center, "talk", callingHours=closed)
    assert client.get(f"/api/v1/campaigns/{cmp}", headers=ADMIN).json()["callingHours"] == closed
    client.post(f"/api/v1/campaigns/{cmp}/start", headers=ADMIN)
    reason = until(
        lambda: (lambda why: why if why and "window" in why else None)(
            client.get(f"/api/v1/campaigns/{cmp}/runtime", headers=ADMIN).json()["reason"]
        )
    )
    assert reason == "no lead may be dialled now: outside the campaign's calling window"
    assert all(lead["status"] == "new" for lead in leads(client, center))


@pytest.mark.parametrize("window", ["mon-fri 18:00-09:00", "funday 09:00-10:00", "9-5", "mon-fri 09:00-25:00"])
def test_a_bad_calling_window_is_400(client, window):
    body = CONTRACT_CAMPAIGN | {"callingHours": window}
    response = client.post("/api/v1/campaigns", json=body, headers=ADMIN)
    assert response.status_code == 400 and "callingHours" in response.json()["error"]["details"]["fields"]


def test_an_empty_calling_window_removes_it(client):
    created = client.post("/api/v1/campaigns", json=CONTRACT_CAMPAIGN | {"callingHours": "09:00-18:00"}, headers=ADMIN)
    cmp = created.json()["id"]
    patched = client.patch(f"/api/v1/campaigns/{cmp}", json={"callingHours": ""}, headers=ADMIN)
    assert patched.status_code == 200 and patched.json()["callingHours"] is None


def test_calls_and_kpis_go_out_live(client, center):
    from tests.test_callcenter_sync import collect

    calls, ticks = collect(client, "calls"), collect(client, "kpi")
    agents_available(client, "2001", "2002")
    cmp = campaign(client, center, "talk")
    client.post(f"/api/v1/campaigns/{cmp}/start", headers=ADMIN)
    until(lambda: sum(1 for m in calls if m["state"] == "Hangup") >= 2, 30)
    # AMD's verdict comes 1.5-3.5 s after the answer that asr5m counts: wait for a tick with both.
    until(lambda: any(m["scope"] == "campaign" and m["asr5m"] > 0 and m["amd"]["HUMAN"] for m in ticks), 10)
    client.post(f"/api/v1/campaigns/{cmp}/stop", headers=ADMIN)
    first = calls[0]["uuid"]
    states = [m["state"] for m in calls if m["uuid"] == first]
    assert states[0] == "Dialing" and "Connected" in states and states[-1] == "Hangup", states
    bridged = next(m for m in calls if m["uuid"] == first and m["agentId"])
    assert bridged["queue"] == "dial_q" and bridged["campaignId"] == cmp and bridged["trunkId"] == "talk"
    assert set(calls[0]) == {
        "type",
        "uuid",
        "ts",
        "campaignId",
        "trunkId",
        "number",
        "state",
        "sip",
        "amd",
        "queue",
        "agentId",
        "billsec",
    }
    tick = next(m for m in ticks if m["scope"] == "campaign" and m["id"] == cmp and m["amd"]["HUMAN"])
    assert list(tick) == [
        "type",
        "scope",
        "id",
        "asr5m",
        "acd",
        "cps",
        "cc",
        "abandon60s",
        "humanRate",
        "amd",
        "windowSec",
        "ts",
    ]
    assert tick["amd"]["HUMAN"] >= 1 and tick["humanRate"] > 0
    assert any(m["scope"] == "trunk" and m["id"] == "talk" for m in ticks)


def test_ws_streams_the_live_messages_with_filters(client, center):
    from starlette.websockets import WebSocketDisconnect

    from tests.conftest import make_jwt

    with pytest.raises(WebSocketDisconnect) as refused, client.websocket_connect("/ws") as socket:
        assert socket.receive_json()["code"] == "unauthorized"
        socket.receive_json()
    assert refused.value.code == 4401
    with client.websocket_connect("/ws", headers={"Authorization": f"Bearer {make_jwt('integration')}"}) as socket:
        assert socket.receive_json()["code"] == "forbidden"
    agents_available(client, "2001", "2002")
    cmp = campaign(client, center, "talk")
    token = make_jwt("supervisor")
    with client.websocket_connect(f"/api/v1/ws?token={token}&types=call.update,kpi.tick&campaignId={cmp}") as socket:
        socket.send_json({"type": "ping"})
        assert socket.receive_json()["type"] == "pong"
        client.post(f"/api/v1/campaigns/{cmp}/start", headers=ADMIN)
        seen: list[dict] = []
        while not (any(m["type"] == "kpi.tick" for m in seen) and any(m.get("state") == "Hangup" for m in seen)):
            seen.append(socket.receive_json())
        client.post(f"/api/v1/campaigns/{cmp}/stop", headers=ADMIN)
    assert {m["type"] for m in seen} <= {"call.update", "kpi.tick"}
    assert all(m["campaignId"] == cmp for m in seen if m["type"] == "call.update")
    assert all(m["scope"] == "campaign" and m["id"] == cmp for m in seen if m["type"] == "kpi.tick")
    with client.websocket_connect("/ws") as socket:  # a browser: the token in its first message
        socket.send_json({"type": "auth", "token": token})
        socket.send_json({"type": "ping"})
        assert socket.receive_json()["type"] == "pong"


def test_graphql_subscriptions_carry_the_same_messages(client, center):
    agents_available(client, "2001", "2002")
    cmp = campaign(client, center, "talk")
    query = "subscription($c: String) { callUpdates(campaignId: $c) }"
    with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as socket:
        socket.send_json({"type": "connection_init", "payload": {"Authorization": ADMIN["Authorization"]}})
        assert socket.receive_json()["type"] == "connection_ack"
        socket.send_json({"id": "1", "type": "subscribe", "payload": {"query": query, "variables": {"c": cmp}}})
        time.sleep(0.3)  # subscribed before the first call
        client.post(f"/api/v1/campaigns/{cmp}/start", headers=ADMIN)
        updates: list[dict] = []
        while not any(u["state"] == "Hangup" for u in updates):
            message = socket.receive_json()
            assert message["type"] == "next", message
            updates.append(message["payload"]["data"]["callUpdates"])
        client.post(f"/api/v1/campaigns/{cmp}/stop", headers=ADMIN)
    assert updates[0]["type"] == "call.update" and updates[0]["state"] == "Dialing"
    assert all(u["campaignId"] == cmp for u in updates)
