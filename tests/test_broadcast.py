"""The broadcaster (dialer/app/broadcast.py): our Redis backend delivers where broadcaster 0.3.1's does not,
announcements fan out between two `dialer serve` processes on one Redis, a Redis restart is survived,
and a slow subscriber's bounded queue drops its oldest messages and says so.

Needs the shared Redis on 127.0.0.1:6379 and `redis-server` on the PATH (the restart test runs its own)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import redis
from broadcaster import Broadcast, Event
from broadcaster._backends.memory import MemoryBackend
from broadcaster._backends.postgres import PostgresBackend
from broadcaster._backends.redis import RedisStreamBackend
from websockets.sync.client import connect as ws_connect

from dialer.app.broadcast import BroadcastUnavailable, Gap, ResilientRedisBackend, make_broadcast
from dialer.graphql.ids import parse_id
from dialer.models import ImportJob
from tests.conftest import ADMIN, CONTRACT_CAMPAIGN, run
from tests.leads_helpers import new_list

SHARED = "redis://127.0.0.1:6379/0"
# Pub/sub channels are server-wide (the /db number does not scope them): names unique to each test.


def channel() -> str:
    return f"test-broadcast-{uuid.uuid4().hex[:12]}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# -- the Redis backend ------------------------------------------------------------------------------


async def test_redis_round_trip():
    name = channel()
    async with make_broadcast(SHARED) as broadcast:
        assert isinstance(broadcast.backend, ResilientRedisBackend)
        async with broadcast.subscribe(name) as subscriber:
            for n in range(3):
                await broadcast.publish(name, f"hello {n}")
            received = [(await asyncio.wait_for(subscriber.get(), 2)).message for _ in range(3)]
    assert received == ["hello 0", "hello 1", "hello 2"]
    assert not subscriber.missed


async def test_broadcasters_own_redis_backend_still_loses_everything():
    """Why ResilientRedisBackend exists (STACK-FACTS, broadcaster 0.3.1). If this starts failing,
    upstream fixed the subscribe race: the workaround can be reconsidered."""
    name = channel()
    async with Broadcast(SHARED) as broadcast, broadcast.subscribe(name) as subscriber:
        await broadcast.publish(name, "hello")
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(subscriber.get(), 0.5)


async def test_first_subscribers_arriving_together_all_hear():
    name = channel()
    async with make_broadcast(SHARED) as broadcast:

        async def listen() -> str:
            async with broadcast.subscribe(name) as subscriber:
                started.append(1)
                await everyone_in.wait()
                return (await asyncio.wait_for(subscriber.get(), 2)).message

        started: list[int] = []
        everyone_in = asyncio.Event()
        listeners = [asyncio.create_task(listen()) for _ in range(3)]
        while len(started) < 3:
            await asyncio.sleep(0.01)
        await broadcast.publish(name, "to all")
        everyone_in.set()
        assert await asyncio.gather(*listeners) == ["to all"] * 3
        assert not broadcast._subscribers  # the last one out unsubscribed


def test_make_broadcast_picks_the_backend():
    assert isinstance(make_broadcast("memory://").backend, MemoryBackend)
    assert isinstance(make_broadcast("redis://localhost:6379/3").backend, ResilientRedisBackend)
    assert isinstance(make_broadcast("rediss://localhost:6380").backend, ResilientRedisBackend)
    assert isinstance(make_broadcast("redis-stream://localhost:6379").backend, RedisStreamBackend)
    assert isinstance(make_broadcast("postgres://u@localhost/db").backend, PostgresBackend)
    with pytest.raises(TypeError):
        make_broadcast("memory://", publish_timeout=1)
    with pytest.raises(ValueError):
        make_broadcast("nope://x")


# -- bounded queues ---------------------------------------------------------------------------------


async def test_a_slow_subscriber_loses_its_oldest_messages_and_is_told():
    async with (
        make_broadcast("memory://", max_queue=3) as broadcast,
        broadcast.subscribe("agents") as slow,
        broadcast.subscribe("agents", max_queue=0) as keen,
        broadcast.subscribe("agents") as gaps,
    ):
        for n in range(10):
            await broadcast.publish("agents", str(n))
        await asyncio.sleep(0.05)  # the listener delivers all ten without waiting for anyone to read

        first = await slow.get()
        assert (first.message, slow.gap) == ("7", Gap(dropped=7))  # the gap is just before "7"
        assert [(await slow.get()).message for _ in range(2)] == ["8", "9"]
        assert not slow.gap  # nothing lost between 7, 8 and 9
        assert slow.missed and slow.dropped == 7  # the flag stays up

        assert [(await keen.get()).message for _ in range(10)] == [str(n) for n in range(10)]
        assert not keen.missed  # its own queue is unbounded: other subscribers' queues are theirs

        # receive(): the gap first, as a value, then the messages.
        assert [await gaps.receive() for _ in range(4)] == [
            Gap(dropped=7),
            *(Event("agents", m) for m in ("7", "8", "9")),
        ]


# -- Redis restart ----------------------------------------------------------------------------------


@contextmanager
def private_redis() -> Iterator[tuple[str, Callable[[], None], Callable[[], None], list[subprocess.Popen]]]:
    """A redis-server of our own on a free port: (url, kill, start, processes). Killed at the end, by pid."""
    port = free_port()
    process: list[subprocess.Popen] = []

    def start() -> None:
        process.append(
            subprocess.Popen(
                ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        for _ in range(100):
            try:
                if redis.Redis(port=port, socket_connect_timeout=0.2).ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("private redis-server did not start")

    def kill() -> None:
        process[-1].kill()
        process[-1].wait(5)

    start()
    try:
        yield f"redis://127.0.0.1:{port}/0", kill, start, process
    finally:
        for running in process:
            if running.poll() is None:
                running.kill()
                running.wait(5)


@pytest.mark.slow
async def test_a_redis_restart_is_survived(caplog):
    caplog.set_level(logging.WARNING, logger="dialer.app.broadcast")
    with private_redis() as (url, kill, start, _):
        async with make_broadcast(url) as broadcast:
            backend = broadcast.backend
            async with broadcast.subscribe("campaigns") as subscriber:
                await broadcast.publish("campaigns", "before")
                assert (await asyncio.wait_for(subscriber.get(), 2)).message == "before"

                kill()
                began = time.monotonic()
                with pytest.raises(BroadcastUnavailable, match=r"unreachable.*'campaigns'.*lost"):
                    await broadcast.publish("campaigns", "during")
                assert time.monotonic() - began < 3  # retried briefly, then gave up
                began = time.monotonic()
                with pytest.raises(BroadcastUnavailable):
                    await broadcast.publish("campaigns", "during, again")
                assert time.monotonic() - began < 0.5  # known outage: no more waiting per message
                # A subscription made during the outage does not wait for Redis, and is made when it is back.
                async with broadcast.subscribe("agents") as latecomer:
                    await asyncio.sleep(0.3)
                    assert not backend._task.done() and not backend.online  # listener alive, retrying
                    assert "lost Redis" in caplog.text

                    start()
                    began = time.monotonic()
                    heard: dict[str, str] = {}
                    while len(heard) < 2:  # publish until both subscribers hear (they resubscribe within ~2 s)
                        assert time.monotonic() - began < 6, f"nothing after the restart; heard {heard}"
                        for name, who in (("campaigns", subscriber), ("agents", latecomer)):
                            if name not in heard:
                                with contextlib.suppress(BroadcastUnavailable):  # not back yet
                                    await broadcast.publish(name, "after")
                                with contextlib.suppress(TimeoutError):
                                    heard[name] = (await asyncio.wait_for(who.get(), 0.2)).message
                    assert heard == {"campaigns": "after", "agents": "after"}
                    # Each learns, with the first message after, that it may have missed some.
                    assert subscriber.gap == Gap(outages=1) and latecomer.gap == Gap(outages=1)
                    assert backend.reconnects == 1 and backend.online
                    assert "reconnected to Redis" in caplog.text

                    await broadcast.publish("campaigns", "normal again")
                    while (message := (await asyncio.wait_for(subscriber.get(), 2)).message) != "normal again":
                        assert message == "after"  # a repeat from the loop above, heard late
                    assert not subscriber.gap


@pytest.mark.slow
async def test_a_frozen_redis_is_noticed_by_ping(caplog):
    """A connection that dies without a reset (here: Redis stopped with SIGSTOP) is found by PING."""
    caplog.set_level(logging.WARNING, logger="dialer.app.broadcast")
    with private_redis() as (url, _, _, processes):
        async with make_broadcast(url, ping_interval=0.3) as broadcast:
            backend = broadcast.backend
            async with broadcast.subscribe("queues") as subscriber:
                processes[-1].send_signal(signal.SIGSTOP)
                try:
                    deadline = time.monotonic() + 5
                    while backend.online:
                        assert time.monotonic() < deadline, "a frozen Redis went unnoticed"
                        await asyncio.sleep(0.05)
                    assert "no answer to PING" in caplog.text
                finally:
                    processes[-1].send_signal(signal.SIGCONT)
                deadline = time.monotonic() + 8
                while not backend.online:
                    assert time.monotonic() < deadline, "no reconnection after Redis resumed"
                    await asyncio.sleep(0.05)
                await broadcast.publish("queues", "thawed")
                assert (await asyncio.wait_for(subscriber.get(), 2)).message == "thawed"
                assert subscriber.gap == Gap(outages=1)


# -- two replicas on one Redis ----------------------------------------------------------------------

SUBSCRIBE = "subscription($id: ID!) { importProgress(id: $id) { status } }"


@contextmanager
def replicas(env: dict[str, str], broadcast_url: str, count: int = 2) -> Iterator[list[str]]:
    """`dialer serve` processes on the test database, announcing through `broadcast_url`."""
    folder = Path(env["DIALER_DATA_DIR"])
    started: list[tuple[subprocess.Popen, object, str]] = []
    try:
        for n in range(count):
            port = free_port()
            log = open(folder / f"replica-{n}.log", "w+")  # noqa: SIM115  # a file: a pipe nobody reads blocks
            process = subprocess.Popen(
                [sys.executable, "-m", "dialer.app.cli", "serve", "--port", str(port)],
                env={**os.environ, **env, "DIALER_BROADCAST_URL": broadcast_url, "DIALER_LOG_LEVEL": "warning"},
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
            started.append((process, log, f"http://127.0.0.1:{port}"))
        deadline = time.monotonic() + 20
        for process, log, url in started:
            while True:
                assert process.poll() is None, f"replica died:\n{Path(log.name).read_text()[-3000:]}"
                assert time.monotonic() < deadline, "replica did not start"
                with contextlib.suppress(httpx.TransportError):
                    if httpx.get(f"{url}/api/v1/health", timeout=1).status_code == 200:
                        break
                time.sleep(0.1)
        yield [url for _, _, url in started]
    finally:
        for process, _, _ in started:
            process.terminate()
        for process, log, _ in started:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
            log.seek(0)
            errors = log.read()
            log.close()
            # The only traceback allowed: an announcement lost to a Redis outage, logged by its caller.
            chained = errors.count("The above exception was") + errors.count("During handling of the above")
            lost = errors.count("dialer.app.broadcast_redis.BroadcastUnavailable: ")
            assert errors.count("Traceback") - chained == lost, errors


def queued_import(client, list_id: str) -> str:
    """An import job waiting in the queue that no worker has started (nor will, for a minute)."""
    path = Path(client.app.state.services.uploads) / f"{uuid.uuid4().hex}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"phone\n2125550100\n")

    async def create() -> str:
        job = await ImportJob.create(
            list_id=parse_id("lst", list_id, "list"),
            filename="leads.csv",
            path=str(path),
            status="queued",
            bytes_total=path.stat().st_size,
            created_by="tester",
            heartbeat_at=datetime.now(UTC),  # fresh: no replica's sweeper takes it over
        )
        return job.public_id

    return run(client, create)


async def create_campaign(http: httpx.AsyncClient, replica: str) -> str:
    response = await http.post(f"{replica}/api/v1/campaigns", json=CONTRACT_CAMPAIGN, headers=ADMIN)
    assert response.status_code == 201, response.text  # whatever became of its announcement
    return response.json()["id"]


async def hear_a_campaign_announcement(replica: str, broadcast_url: str) -> tuple[str, dict]:
    async with make_broadcast(broadcast_url) as broadcast, broadcast.subscribe("campaigns") as subscriber:
        async with httpx.AsyncClient() as http:
            created = await create_campaign(http, replica)
        return created, json.loads((await asyncio.wait_for(subscriber.get(), 5)).message)


async def announce_across_an_outage(replica: str, broadcast_url: str, kill, start) -> Gap:
    """Kill Redis, change something on the replica, restart Redis, change things until one is heard.
    Returns what the subscriber was told it missed."""
    async with (
        make_broadcast(broadcast_url) as broadcast,
        broadcast.subscribe("campaigns") as subscriber,
        httpx.AsyncClient() as http,
    ):
        kill()
        during = await create_campaign(http, replica)  # a 201 all the same: the replica logs the lost message
        start()
        deadline = time.monotonic() + 8
        heard: list[str] = []
        while not heard:
            assert time.monotonic() < deadline, "no announcement got through after Redis came back"
            after = await create_campaign(http, replica)
            with contextlib.suppress(TimeoutError):
                while True:
                    heard.append(json.loads((await asyncio.wait_for(subscriber.get(), 0.5)).message)["id"])
                    if heard[-1] == after:
                        break
        assert during not in heard  # lost, not delivered late
        return subscriber.gap


@pytest.mark.slow
def test_two_replicas_fan_out_over_redis(client, migrated):
    """Replica A's import worker announces on `jobs`; replica B's GraphQL subscription hears it through
    Redis (nothing else tells B: its own worker never touches the job). Then a Redis outage under a
    running replica. A private Redis keeps other test runs' announcements and subscribers out."""
    list_id = new_list(client)
    job_id = queued_import(client, list_id)
    with private_redis() as (url, kill, start, _), replicas(migrated, url) as (a, b):
        # An announcement of a REST change on A, heard by a third process (this one) at the backend level.
        created, heard = asyncio.run(hear_a_campaign_announcement(a, url))
        assert heard["type"] == "campaign.update" and heard["id"] == created

        # End to end: B's importProgress subscription follows a job that A's worker finishes.
        watcher = redis.Redis.from_url(url)
        with ws_connect(f"ws{b[4:]}/graphql", subprotocols=["graphql-transport-ws"], open_timeout=5) as socket_b:
            socket_b.send(json.dumps({"type": "connection_init", "payload": {"Authorization": ADMIN["Authorization"]}}))
            assert json.loads(socket_b.recv(5))["type"] == "connection_ack"
            payload = {"query": SUBSCRIBE, "variables": {"id": job_id}}
            socket_b.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
            first = json.loads(socket_b.recv(5))
            assert first["payload"]["data"]["importProgress"] == {"status": "queued"}
            # importProgress reads the job, then subscribes: wait until B's subscription reached Redis.
            deadline = time.monotonic() + 5
            while dict(watcher.pubsub_numsub("jobs")).get(b"jobs", 0) < 1:
                assert time.monotonic() < deadline, "replica B never subscribed to jobs"
                time.sleep(0.02)

            response = httpx.post(f"{a}/api/v1/imports/{job_id}/cancel", headers=ADMIN)
            assert response.status_code in (200, 202), response.text
            seen = []
            while not seen or seen[-1]["type"] == "next":
                seen.append(json.loads(socket_b.recv(10)))
        watcher.close()
        assert [m["payload"]["data"]["importProgress"]["status"] for m in seen[:-1]] == ["cancelled"]
        assert seen[-1] == {"id": "1", "type": "complete"}

        # A Redis outage: A's change still succeeds (its announcement is lost, and logged), and once
        # Redis is back A's announcements reach subscribers again, who are told they may have missed some.
        assert asyncio.run(announce_across_an_outage(a, url, kill, start)) == Gap(outages=1)
    log_a = (Path(migrated["DIALER_DATA_DIR"]) / "replica-0.log").read_text()
    assert "Redis at 127.0.0.1" in log_a and "'campaigns' was not published and is lost" in log_a  # logged
