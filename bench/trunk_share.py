"""The cluster-wide CPS buckets (dialer.app.trunk_share) under load: what a campaign loop's tick
pays for them, and whether maxCps holds when many loops draw at once.

    .venv/bin/python bench/trunk_share.py [--loops 100] [--replicas 4] [--trunks 4] [--max-cps 25] [--seconds 20]

`--loops` campaign loops spread over `--replicas` TrunkShares (one per replica, as in a cluster), in
one process over a connection pool (PostgreSQL: `?maxsize=20`; SQLite: its one connection), on a
scratch database of each kind. Every loop ticks once a second, staggered, and wants 5 calls on
each trunk its campaign dials (two of `--trunks`), far more than the trunks' maxCps: each tick
does what the loop does, `peek` then `choose` then `take`. Printed per database: ticks, the
tick's time in the buckets (median, 99th percentile), the calls granted per trunk against the most
maxCps allows over the run (its rate times the seconds, plus one second's burst), and ticks per
second (each a read and a transaction).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from scratch_db import scratch_database

from dialer.app import database
from dialer.app.trunk_share import TrunkShare
from dialer.engine.trunks import TrunkSpec, choose

WANT = 5  # calls a loop wants each tick


async def loop(
    share: TrunkShare, trunks: list[TrunkSpec], until: float, spent: list[float], granted: dict[str, int]
) -> None:
    await asyncio.sleep(random.random())  # loops do not tick in step
    while time.monotonic() < until:
        began = time.monotonic()
        await share.peek(trunks, began)
        picks = choose(share.book, trunks, {}, WANT * len(trunks), began).picks
        for name in await share.take(picks, trunks, time.monotonic()):
            granted[name] += 1
        spent.append(time.monotonic() - began)
        await asyncio.sleep(max(0.0, 1.0 - (time.monotonic() - began)))


async def measure(url: str, args: argparse.Namespace, progress: Progress) -> str:
    await database.migrate(url)
    await database.open_orm(url)
    try:
        names = [f"gw_{i}" for i in range(args.trunks)]
        shares = [TrunkShare() for _ in range(args.replicas)]
        spent: list[float] = []
        granted = dict.fromkeys(names, 0)
        began = time.monotonic()
        until = began + args.seconds
        tasks = []
        for i in range(args.loops):
            dialed = [TrunkSpec(names[(i + k) % len(names)], 1.0, float(args.max_cps)) for k in range(2)]
            tasks.append(asyncio.create_task(loop(shares[i % len(shares)], dialed, until, spent, granted)))
        bar = progress.add_task(url.split(":", 1)[0], total=args.seconds)
        while not all(t.done() for t in tasks):
            await asyncio.sleep(0.5)
            progress.update(bar, completed=min(args.seconds, time.monotonic() - began))
        await asyncio.gather(*tasks)
        elapsed = time.monotonic() - began
    finally:
        await database.close()
    bound = args.max_cps * elapsed + args.max_cps
    ms = sorted(s * 1000 for s in spent)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    per_trunk = ", ".join(f"{n} {granted[n]}" for n in names)
    return (
        f"{len(ms)} ticks in {elapsed:.1f} s; in the buckets: median {statistics.median(ms):.1f} ms, p99 {p99:.1f} ms; "
        f"{len(ms) / elapsed:.0f} ticks/s, each a read and a transaction\n    calls granted: {per_trunk}; "
        f"at most {bound:.0f} each by maxCps: {'held' if max(granted.values()) <= bound else 'EXCEEDED'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--loops", type=int, default=100)
    parser.add_argument("--replicas", type=int, default=4)
    parser.add_argument("--trunks", type=int, default=4)
    parser.add_argument("--max-cps", type=int, default=25)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--database", choices=("sqlite", "postgres"), help="one only (default: both)")
    args = parser.parse_args()
    if args.database is None:
        print(
            f"{args.loops} campaign loops on {args.replicas} replicas, {args.trunks} trunks of maxCps "
            f"{args.max_cps}, {args.seconds:g} s; each loop wants {WANT} calls a tick on each of its 2 trunks"
        )
        for kind in ("sqlite", "postgres"):  # one process each: Tortoise keeps per-dialect state
            subprocess.run([sys.executable, __file__, *sys.argv[1:], "--database", kind], check=True)
        return
    options = "?maxsize=20" if args.database == "postgres" else ""
    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with scratch_database(args.database, "trunks", options) as url:
        with Progress(*columns, transient=True) as progress:
            figures = asyncio.run(measure(url, args, progress))
        print(f"{args.database:>8}: {figures}")


if __name__ == "__main__":
    main()
