"""Sustained originates per second through the controller, against one simulated FreeSWITCH node.

    .venv/bin/python bench/freeswitch_originate.py [--rate 400] [--seconds 10] [--max-in-flight 2000]

The simulated node runs in a child process (as a real FreeSWITCH would be another process); the
controller (switchio's thread + the asyncio bridge + call tracking) runs here. Calls follow a
realistic outcome mix (answered human/voicemail/fax, busy, no answer, SIT, SIP failures) with
shortened timings so that channels stay bounded. Every event is consumed from the cluster's
stream; the run checks that each call got its BACKGROUND_JOB and its hangup. `--rate 0` sends as
fast as the in-flight window allows. Prints the achieved rate, events per second and CPU."""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import resource
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dialer.freeswitch.calls import Originate
from dialer.freeswitch.cluster import Cluster
from dialer.freeswitch.node import NodeConfig
from dialer.freeswitch.sim import Dist, SimNode, SwitchConfig, TrunkModel

TRUNK = TrunkModel(
    pdd=Dist("uniform", 0.02, 0.1),
    ring=Dist("uniform", 0.05, 0.3),
    sit_after=Dist("uniform", 0.05, 0.2),
    talk=Dist("uniform", 0.2, 1.0),
    voicemail_talk=Dist("uniform", 0.3, 0.8),
    fax_talk=Dist("uniform", 0.2, 0.5),
    amd_delay=Dist("uniform", 0.05, 0.15),
    beep_after=Dist("uniform", 0.1, 0.25),
)


def run_simulator(port: multiprocessing.connection.Connection) -> None:
    async def serve() -> None:
        node = SimNode(SwitchConfig(seed=1, default_trunk=TRUNK, max_sessions=100_000))
        await node.start()
        port.send(node.port)
        await asyncio.Event().wait()

    asyncio.run(serve())


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def bench(port: int, rate: float, seconds: float, window: int, child: int) -> None:
    cluster = Cluster([NodeConfig("sim", "127.0.0.1", port, max_calls=100_000, command_timeout=30)])
    await cluster.start()
    events: Counter[str] = Counter()
    hangups: set[str] = set()
    jobs = 0

    async def consume() -> None:
        nonlocal jobs
        with cluster.events() as stream:
            async for event in stream:
                events[event.name] += 1
                if event.name == "CHANNEL_HANGUP_COMPLETE":
                    hangups.add(event.uuid or "")
                elif event.name == "BACKGROUND_JOB":
                    jobs += 1

    consumer = asyncio.create_task(consume())
    in_flight = asyncio.Semaphore(window)
    calls = []

    async def one(lead: int) -> None:
        async with in_flight:
            request = Originate(f"1555{lead:07d}", "gw_bench", 1, 1, lead, timeout=1)
            call = await cluster.originate(request)
            calls.append(call)
            await call.ended

    tasks = []
    cpu0, child0, wall0 = time.process_time(), cpu_seconds(child), time.perf_counter()
    lead = 0
    while (elapsed := time.perf_counter() - wall0) < seconds:
        due = int(elapsed * rate) + 1 if rate else lead + window - (len(tasks) - sum(t.done() for t in tasks))
        while lead < due:
            tasks.append(asyncio.create_task(one(lead)))
            lead += 1
        await asyncio.sleep(0.005)
    sent_wall = time.perf_counter() - wall0
    await asyncio.wait_for(asyncio.gather(*tasks), 60)
    deadline = time.perf_counter() + 10
    while (len(hangups) < len(calls) or jobs < len(calls)) and time.perf_counter() < deadline:
        await asyncio.sleep(0.01)
    wall = time.perf_counter() - wall0
    cpu, child_cpu = time.process_time() - cpu0, cpu_seconds(child) - child0
    consumer.cancel()
    await cluster.close()

    total = sum(events.values())
    causes = Counter(call.ended.result().name for call in calls)
    sustained = lead / sent_wall
    print(f"originates sent: {lead} in {sent_wall:.2f} s -> {sustained:.0f} CPS sustained (requested {rate or 'max'})")
    print(f"all calls finished after {wall:.2f} s; hangups seen {len(hangups)}/{len(calls)}, jobs {jobs}/{len(calls)}")
    print(f"events handled: {total} ({total / wall:.0f}/s), {total / max(1, len(calls)):.1f} per call")
    per_call = 1e3 * cpu / max(1, lead)
    print(f"controller CPU: {cpu:.2f} s ({100 * cpu / wall:.0f}% of one core); per originate {per_call:.2f} ms")
    print(f"simulator CPU (child process): {child_cpu:.2f} s ({100 * child_cpu / wall:.0f}% of one core)")
    print(f"peak RSS controller: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    print("outcomes:", ", ".join(f"{name} {n}" for name, n in causes.most_common()))
    if len(hangups) < len(calls) or jobs < len(calls):
        raise SystemExit("some calls were not seen to the end")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=400, help="originates per second (0: as fast as possible)")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--max-in-flight", type=int, default=2000, help="most originates awaiting their hangup")
    args = parser.parse_args()
    receive, send = multiprocessing.Pipe(duplex=False)
    child = multiprocessing.get_context("fork").Process(target=run_simulator, args=(send,), daemon=True)
    child.start()
    try:
        if not receive.poll(10):
            raise SystemExit("the simulator did not start")
        port = receive.recv()
        asyncio.run(bench(port, args.rate, args.seconds, args.max_in_flight, child.pid or 0))
    finally:
        child.terminate()
        child.join(5)


if __name__ == "__main__":
    main()
