"""Two `dialer serve` replicas on one Redis and one simulated FreeSWITCH: a /ws client of either
gets one stream, each message once (both replicas hear every event; only the live-lease holder
publishes), whichever replica the change was made on; and a Redis restart interrupts it for no
longer than the restart."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import ClientConnection
from websockets.sync.client import connect as ws_connect

from tests.conftest import ADMIN
from tests.test_broadcast import free_port, private_redis, replicas
from tests.test_callcenter_api import CONTRACT_AGENT, CONTRACT_QUEUE
from tests.test_providers import CONTRACT_PROVIDER

TOKEN = ADMIN["Authorization"].removeprefix("Bearer ")


@contextmanager
def simulator(folder: Path) -> Iterator[str]:
    """A standalone simulated FreeSWITCH node both replicas connect to: its ESL URL."""
    port = free_port()
    log = open(folder / "sim.log", "w+")  # noqa: SIM115  # a file: a pipe nobody reads blocks
    process = subprocess.Popen(
        [sys.executable, "-m", "dialer.app.cli", "sim", "--nodes", "1", "--esl-port", str(port)],
        env={**os.environ},
        stdout=log,
        stderr=log,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            assert process.poll() is None, f"simulator died:\n{Path(log.name).read_text()[-2000:]}"
            assert time.monotonic() < deadline, "simulator did not start"
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
            time.sleep(0.1)
        yield f"esl://:ClueCon@127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def live(replica: str, types: str) -> ClientConnection:
    return ws_connect(f"ws{replica[4:]}/ws?token={TOKEN}&types={types}", open_timeout=5)


def gather(socket_: ClientConnection, seconds: float) -> list[dict]:
    heard: list[dict] = []
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        with contextlib.suppress(TimeoutError):
            message = json.loads(socket_.recv(left))
            if message.get("type") not in ("ping", "pong", "welcome"):
                heard.append(message)
    return heard


def wait_for_nodes(replica: str) -> None:
    deadline = time.monotonic() + 15
    while True:
        checklist = httpx.post(f"{replica}/api/v1/integrations/fs/notes", json={}, headers=ADMIN, timeout=5)
        items = checklist.json().get("items", []) if checklist.status_code == 200 else []
        if any(item["id"] == "connectivity" and item["status"] == "ok" for item in items):
            return
        assert time.monotonic() < deadline, checklist.text
        time.sleep(0.2)


@pytest.mark.slow
def test_either_replica_gives_the_same_live_stream_once(client, migrated):
    folder = Path(migrated["DIALER_DATA_DIR"])
    with simulator(folder) as esl, private_redis() as (url, kill, start, _):
        env = {**migrated, "DIALER_FREESWITCH": esl}
        with replicas(env, url) as (a, b):
            wait_for_nodes(a)
            wait_for_nodes(b)
            time.sleep(2.5)  # one replica takes the live lease (renewed every 2 s)
            with live(b, "agent.update,call.update") as on_b, live(a, "agent.update") as on_a:
                # A change made on A: the node tells both replicas; one of them says it, once.
                assert httpx.post(f"{a}/api/v1/queues", json=CONTRACT_QUEUE, headers=ADMIN).status_code == 201
                assert httpx.post(f"{a}/api/v1/agents", json=CONTRACT_AGENT, headers=ADMIN).status_code == 201
                patched = httpx.patch(f"{a}/api/v1/agents/1001/state", json={"status": "Available"}, headers=ADMIN)
                assert patched.status_code == 200, patched.text
                # A call placed from B: every state of it reaches A's... and B's client, once each.
                assert httpx.post(f"{b}/api/v1/providers", json=CONTRACT_PROVIDER, headers=ADMIN).status_code == 201
                probe = httpx.post(
                    f"{b}/api/v1/providers/gw_main/probe",
                    json={"number": "+12125551234", "timeoutSec": 2},
                    headers=ADMIN,
                    timeout=40,
                )
                assert probe.status_code == 200, probe.text
                heard_b = gather(on_b, 2)
                heard_a = gather(on_a, 0.5)

            available = [m for m in heard_b if m["type"] == "agent.update" and m["status"] == "Available"]
            assert len(available) == 1, [m for m in heard_b if m["type"] == "agent.update"]
            assert [m for m in heard_a if m["status"] == "Available"] == available
            calls = [m for m in heard_b if m["type"] == "call.update" and m["campaignId"] == "probe"]
            states = [m["state"] for m in calls]
            assert states and states[0] == "Dialing" and len(states) == len(set(states)), states
            assert states[-1] in ("Hangup", "NoAnswer", "Sit"), states

            with live(b, "kpi.tick") as ticks:
                per_second = [m for m in gather(ticks, 3.2) if m["scope"] == "global"]
                assert 2 <= len(per_second) <= 4, per_second  # one tick a second, not one per replica

                kill()  # Redis restarts under the stream: it stops, then resumes
                time.sleep(1.0)
                restarted = time.monotonic()
                start()
                resumed = next(
                    (time.monotonic() for _ in range(100) if any(m["scope"] == "global" for m in gather(ticks, 0.2))),
                    None,
                )
                assert resumed is not None and resumed - restarted < 5.0, "ticks did not resume after Redis came back"
