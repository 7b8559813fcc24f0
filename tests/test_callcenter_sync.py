"""The dialer's queues, agents and tiers reach the FreeSWITCH node (here the embedded simulator,
over real ESL), come back after the node loses them, and drift is repaired by the watchdog."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import orjson
import pytest

from dialer.freeswitch.calls import Originate
from tests.conftest import ADMIN, run
from tests.freeswitch.conftest import TRUNKS

QUEUE = {
    "name": "outbound_sales",
    "strategy": "top-down",
    "moh": "local_stream://moh",
    "tierRules": {"apply": True, "waitSecond": 15, "waitMultiplyLevel": True},
    "wrapUpSec": 3,
    "noAnswerDelaySec": 2,
}


def node(client) -> Any:
    return client.app.state.services.simulator.switch.callcenter


def snapshot(client) -> dict[str, Any]:
    async def read() -> dict[str, Any]:
        cc = node(client)
        return {
            "queues": {name: queue for name, queue in cc.queues.items()},
            "agents": {name: (a.status, a.state, a.contact, a.wrap_up_time) for name, a in cc.agents.items()},
            "tiers": {key: (t.level, t.position, t.state) for key, t in cc.tiers.items()},
        }

    return run(client, read)


def eventually(client, check: Callable[[dict[str, Any]], bool], seconds: float = 10) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        state = snapshot(client)
        if check(state):
            return state
        if time.monotonic() > deadline:
            raise AssertionError(f"the node did not get there: {state}")
        time.sleep(0.05)


def setup_center(client) -> None:
    assert client.post("/api/v1/queues", json=QUEUE, headers=ADMIN).status_code == 201
    agent = {"name": "1001", "contact": "user/1001", "type": "callback"}
    assert client.post("/api/v1/agents", json=agent, headers=ADMIN).status_code == 201
    tier = {"agent": "1001", "level": 2, "position": 3}
    assert client.post("/api/v1/queues/outbound_sales/tiers", json=tier, headers=ADMIN).status_code == 201


def forget(client, *agents: str) -> None:
    async def drop() -> None:
        cc = node(client)
        for name in agents:
            cc.agents.pop(name, None)
            for key in [key for key in cc.tiers if key[1] == name]:
                del cc.tiers[key]
        cc.queues.pop("outbound_sales", None)

    run(client, drop)


@pytest.fixture(autouse=True)
def clean_node(client):
    """Other tests leave agent 1001 on the simulated node; these start from a node without it."""
    forget(client, "1001")
    yield
    forget(client, "1001")


def test_queue_agent_and_tier_reach_the_node(client):
    try:
        setup_center(client)
        state = eventually(
            client,
            lambda s: (
                "outbound_sales" in s["queues"] and ("outbound_sales", "1001") in s["tiers"] and "1001" in s["agents"]
            ),
        )
        queue = state["queues"]["outbound_sales"]
        assert queue.strategy == "top-down"  # loaded from the dialer's callcenter.conf (mod_xml_curl)
        assert state["agents"]["1001"] == ("Logged Out", "Waiting", "user/1001", 3)  # the queue's wrap-up
        assert state["tiers"]["outbound_sales", "1001"][:2] == (2, 3)
        client.patch("/api/v1/agents/1001/state", json={"status": "Wrapup"}, headers=ADMIN)
        eventually(client, lambda s: s["agents"]["1001"][:2] == ("Available", "Idle"))
        client.patch("/api/v1/agents/1001/state", json={"status": "Available"}, headers=ADMIN)
        eventually(client, lambda s: s["agents"]["1001"][:2] == ("Available", "Waiting"))
        deadline = time.monotonic() + 5
        while client.get("/api/v1/agents/1001", headers=ADMIN).json()["liveStatus"] != "Available":
            assert time.monotonic() < deadline, "agent.update never reported Available"
            time.sleep(0.05)
    finally:
        forget(client, "1001")


def test_a_node_that_lost_everything_is_resynced_when_it_reconnects(client):
    try:
        setup_center(client)
        eventually(client, lambda s: ("outbound_sales", "1001") in s["tiers"])
        forget(client, "1001")  # as a node rebuilt from scratch would be

        async def crash() -> None:
            await client.app.state.services.simulator.restart(down_for=0.2)

        run(client, crash)
        eventually(client, lambda s: ("outbound_sales", "1001") in s["tiers"] and "1001" in s["agents"])
    finally:
        forget(client, "1001")


def test_the_watchdog_repairs_drift_and_stuck_agents(client):
    try:
        setup_center(client)
        eventually(client, lambda s: ("outbound_sales", "1001") in s["tiers"])

        async def drift() -> None:
            cc = node(client)
            cc.agents["1001"].contact = "user/9999"  # changed behind the dialer's back
            cc.agents["1001"].state = "Receiving"  # an offer whose agent leg died
            del cc.tiers["outbound_sales", "1001"]

        run(client, drift)
        state = eventually(
            client,
            lambda s: (
                ("outbound_sales", "1001") in s["tiers"]
                and s["agents"]["1001"][2] == "user/1001"
                and s["agents"]["1001"][1] == "Waiting"
            ),
        )
        assert state["agents"]["1001"][0] == "Logged Out"
        notes = client.post("/api/v1/integrations/fs/notes", headers=ADMIN).json()
        queues = next(item for item in notes["items"] if item["id"] == "queues")
        assert "repaired" in queues["detail"], queues
    finally:
        forget(client, "1001")


def collect(client, channel: str) -> list[dict[str, Any]]:
    """Messages on a broadcaster channel from now on, appended as they arrive (on the app's loop)."""
    seen: list[dict[str, Any]] = []
    ready = asyncio.Event()

    async def listen() -> None:
        async with client.app.state.services.broadcast.subscribe(channel=channel) as subscriber:
            ready.set()
            async for event in subscriber:
                seen.append(orjson.loads(event.message))

    async def start() -> None:
        asyncio.get_running_loop().create_task(listen())
        await ready.wait()

    run(client, start)
    return seen


def test_a_call_through_the_queue_emits_agent_and_queue_updates(client):
    agents, queues = collect(client, "agents"), collect(client, "queues")
    setup_center(client)
    client.patch("/api/v1/agents/1001/state", json={"status": "Available"}, headers=ADMIN)
    eventually(client, lambda s: s["agents"].get("1001", ("",))[0] == "Available")

    async def call() -> None:
        services = client.app.state.services
        services.simulator.switch.config.trunks = TRUNKS
        services.simulator.switch.config.agent_answer_delay = 0.02
        placed = await services.freeswitch.originate(
            Originate(
                "15550001",
                "slow",
                campaign_id="cmp_1",
                list_id="lst_1",
                lead_id="lead_1",
                application="callcenter",
                application_args="outbound_sales",
            )
        )
        await asyncio.wait_for(placed.result, 5)

    run(client, call)
    deadline = time.monotonic() + 10
    while not any(m["serviced"] == 1 for m in queues if m["queue"] == "outbound_sales"):
        assert time.monotonic() < deadline, queues
        time.sleep(0.05)
    statuses = [m["status"] for m in agents if m["agentId"] == "1001"]
    assert "Available" in statuses and "On Call" in statuses, statuses
    update = next(m for m in queues if m["queue"] == "outbound_sales" and m["serviced"] == 1)
    assert set(update) == {"type", "queue", "inQueue", "serviced", "slaPct", "ts"} and update["type"] == "queue.update"
    assert update["slaPct"] == 1.0
