"""The live view under load: FreeSWITCH events at a simulated 200 calls a second become call.update
and kpi.tick messages that 500 /ws clients receive. Prints latency from message to client (p50,
p99, max), messages delivered per second, and the server's CPU and memory.

    .venv/bin/python bench/ws_fanout.py [--cps 200] [--clients 500] [--wallboards 5] [--campaigns 50]
                                        [--seconds 30]

The server is a real `dialer serve` app (uvicorn, the in-memory broadcaster, the live view, the /ws
bridge) in a child process; into its live view a generator feeds the events of `--cps` calls a
second, as the ESL connection would: CHANNEL_CREATE and PROGRESS for every call; for 55 % an
ANSWER, an AMD verdict (HUMAN 40 %, MACHINE 45 %, FAX, SIT, NOTSURE 5 % each) and, for humans, the
mod_callcenter queue and bridge events; a hangup after the talk (exponential, mean 90 s) or, for
the others, NO_ANSWER after 5-25 s. Over `--campaigns` campaigns and 10 trunks.

The clients live in this process, on its own core: `--wallboards` take every message; the others
each follow one campaign (`?campaignId=...&types=call.update,kpi.tick`), as a supervisor's screen
does. Latency is the client's receive time minus the message's `ts` (milliseconds, the server sets
it when it makes the message; both clocks are this machine's). The clients' process runs without its
garbage collector once connected: its passes over 500 connections' objects pause that process for
over 100 ms, which would read as latency that is not the server's (the server's collector runs).
Figures are over the run after a 5 s warm-up; the server's CPU is its user + system time over the
same span.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SECRET = "bench-secret-that-is-long-enough-for-hs256"
WARMUP = 5.0
LABELS = ("HUMAN", "MACHINE", "FAX", "SIT", "NOTSURE")
LABEL_WEIGHTS = (40, 45, 5, 5, 5)


# -- the server (child process) --------------------------------------------------------------------


def call_events(seconds: float, cps: int, campaigns: int, seed: int = 7) -> list[tuple[float, int, str, dict]]:
    """Every event of the run, time-ordered: (t, seq, name, headers)."""
    rng = random.Random(seed)
    out: list[tuple[float, int, str, dict]] = []
    seq = 0

    def add(t: float, name: str, headers: dict) -> None:
        nonlocal seq
        if t < seconds:
            out.append((t, seq, name, headers))
            seq += 1

    for n in range(int(seconds * cps)):
        t0 = n / cps + rng.random() / cps
        uuid = f"bench-{n:09d}"
        variables = {
            "Unique-ID": uuid,
            "variable_campaign_id": f"cmp_{rng.randrange(campaigns) + 1}",
            "variable_trunk_id": f"gw_{rng.randrange(10)}",
            "Caller-Destination-Number": f"1212555{n % 10000:04d}",
        }
        add(t0, "CHANNEL_CREATE", variables)
        add(t0 + 1.0, "CHANNEL_PROGRESS", {"Unique-ID": uuid})
        if rng.random() < 0.45:
            add(t0 + rng.uniform(5, 25), "CHANNEL_HANGUP_COMPLETE", {"Unique-ID": uuid, "Hangup-Cause": "NO_ANSWER"})
            continue
        answer = t0 + rng.uniform(3, 15)
        add(answer, "CHANNEL_ANSWER", {"Unique-ID": uuid})
        label = rng.choices(LABELS, LABEL_WEIGHTS)[0]
        add(answer + 2.5, "amd", {"Unique-ID": uuid, "AMD-Result": label})
        if label == "HUMAN":
            member = {"CC-Member-Session-UUID": uuid, "CC-Queue": "sales"}
            add(answer + 2.6, "callcenter::info", {**member, "CC-Action": "member-queue-start"})
            add(answer + 3.0, "callcenter::info", {**member, "CC-Action": "bridge-agent-start", "CC-Agent": "1001"})
        talk = rng.expovariate(1 / 90) if label == "HUMAN" else 3.0
        add(
            answer + 3.0 + talk,
            "CHANNEL_HANGUP_COMPLETE",
            {"Unique-ID": uuid, "Hangup-Cause": "NORMAL_CLEARING", "variable_billsec": str(round(talk))},
        )
    out.sort()
    return out


async def feed(live: object, events: list[tuple[float, int, str, dict]]) -> None:
    from dialer.freeswitch import events as ev

    start = time.monotonic()
    for t, _, name, headers in events:
        lag = t - (time.monotonic() - start)
        if lag > 0.002:
            await asyncio.sleep(lag)
        await live.on_event(ev.Event("bench-fs", name, headers))  # type: ignore[attr-defined]


async def serve(port: int, folder: Path, seconds: float, cps: int, campaigns: int) -> None:
    import uvicorn

    from dialer.app import database
    from dialer.app.factory import create_app
    from dialer.app.settings import load_settings

    url = f"sqlite://{folder}/bench.sqlite3"
    env = {
        "DIALER_DATABASE_URL": url,
        "DIALER_DATA_DIR": str(folder),
        "DIALER_JWT_SECRET": SECRET,
        "DIALER_LOG_LEVEL": "warning",
    }
    await database.migrate(url)
    app = create_app(load_settings(env))
    # uvicorn's defaults, as `dialer serve` runs it (BENCH_WS=websockets-sansio|wsproto to compare).
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", ws=os.environ.get("BENCH_WS", "auto")
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    events = call_events(seconds + WARMUP, cps, campaigns)
    gc.freeze()  # the run's pre-made events are the harness's: a server never holds them all
    while not server.started:
        await asyncio.sleep(0.05)
    (folder / "ready").touch()
    while not (folder / "go").exists():
        await asyncio.sleep(0.02)
    await feed(app.state.services.live, events)
    (folder / "done").touch()
    while not (folder / "stop").exists():
        await asyncio.sleep(0.05)
    server.should_exit = True
    await serving


# -- the clients (this process) --------------------------------------------------------------------


class Tally:
    def __init__(self) -> None:
        self.measuring = False
        self.latency: dict[str, list[float]] = {"call.update": [], "kpi.tick": []}
        self.delivered = 0
        self.closed = 0


async def client(url: str, tally: Tally, connected: asyncio.Event, counter: list[int], total: int) -> None:
    from websockets.asyncio.client import connect

    async with connect(url, max_queue=None, open_timeout=30, ping_interval=None) as socket_:
        counter[0] += 1
        if counter[0] == total:
            connected.set()
        try:
            async for text in socket_:
                message = orjson.loads(text)
                if tally.measuring:
                    kind = message.get("type")
                    tally.delivered += 1
                    if kind in tally.latency:
                        tally.latency[kind].append(time.time() * 1000 - message["ts"])
        except Exception:
            tally.closed += 1


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def drive(args: argparse.Namespace, port: int, folder: Path, pid: int) -> None:
    token = jwt.encode(
        {"sub": "bench", "role": "viewer", "exp": datetime.now(UTC) + timedelta(hours=1)}, SECRET, algorithm="HS256"
    )
    base = f"ws://127.0.0.1:{port}/ws?token={token}"
    urls = [
        base if n < args.wallboards else f"{base}&types=call.update,kpi.tick&campaignId=cmp_{n % args.campaigns + 1}"
        for n in range(args.clients)
    ]
    tally, connected, counter = Tally(), asyncio.Event(), [0]
    tasks = []
    for n, url in enumerate(urls):
        tasks.append(asyncio.create_task(client(url, tally, connected, counter, len(urls))))
        if n % 50 == 49:
            await asyncio.sleep(0.2)  # do not flood the accept queue
    await asyncio.wait_for(connected.wait(), 60)
    # No collector in this process during the run: its passes over 500 connections' objects pause it
    # for over 100 ms, which would read as the server's latency. (The server's collector runs.)
    gc.freeze()
    gc.disable()
    (folder / "go").touch()
    await asyncio.sleep(WARMUP)
    tally.measuring = True
    cpu0, t0 = cpu_seconds(pid), time.monotonic()
    while not (folder / "done").exists():
        await asyncio.sleep(0.05)
    cpu1, t1 = cpu_seconds(pid), time.monotonic()
    tally.measuring = False
    span = t1 - t0
    print(
        f"ws fan-out: {args.cps} calls/s over {args.campaigns} campaigns, {args.clients} /ws clients "
        f"({args.wallboards} take everything, the others one campaign each), {span:.0f} s measured"
    )
    for kind, values in tally.latency.items():
        print(
            f"  {kind:<12} {len(values):>9,} delivered   p50 {pct(values, 0.5):6.1f} ms   "
            f"p99 {pct(values, 0.99):6.1f} ms   max {max(values, default=float('nan')):7.1f} ms"
        )
    print(f"  delivered      {tally.delivered / span:,.0f} messages/s to the clients")
    print(f"  server CPU     {100 * (cpu1 - cpu0) / span:.0f} % of one core; peak RSS {peak_rss_mb(pid):.0f} MB")
    print(f"  disconnected   {tally.closed} clients")
    p99 = pct(tally.latency["call.update"] + tally.latency["kpi.tick"], 0.99)
    print(f"  target p99 <= 50 ms: {'met' if p99 <= 50 else 'NOT met'} ({p99:.1f} ms, all messages)")
    (folder / "stop").touch()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cps", type=int, default=200)
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--wallboards", type=int, default=5)
    parser.add_argument("--campaigns", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)  # the child: its port
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        import uvloop  # as `dialer serve` runs (uvicorn's loop="auto" picks uvloop when installed)

        uvloop.run(serve(args.serve, Path(args.folder), args.seconds, args.cps, args.campaigns))
        return
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with tempfile.TemporaryDirectory(prefix="ws-bench-") as tmp:
        folder = Path(tmp)
        command = [sys.executable, __file__, "--serve", str(port), "--folder", tmp]
        command += ["--seconds", str(args.seconds), "--cps", str(args.cps), "--campaigns", str(args.campaigns)]
        server = subprocess.Popen(command, cwd=ROOT)
        try:
            while not (folder / "ready").exists():
                if server.poll() is not None:
                    raise SystemExit("the server did not start")
                time.sleep(0.05)
            asyncio.run(drive(args, port, folder, server.pid))
        finally:
            (folder / "stop").touch()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()


if __name__ == "__main__":
    main()
