"""The hopper's read on a large table: the next 100 dialable leads of a list, in PostgreSQL.

    .venv/bin/python bench/hopper.py [--leads 10000000] [--lists 20] [--runs 500]

Fills `leads` with generate_series (a realistic mix: 55 % new, 15 % retries due or not yet due,
5 % callbacks, 20 % done, 5 % DNC, spread over the lists), analyzes, then times next_dialable()
through the ORM connection, as the engine will call it, at random lists. Target: <= 10 ms."""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from datetime import UTC, datetime

import asyncpg
from scratch_db import scratch_database

FILL = """
INSERT INTO leads (list_id, phone, status, dialable, priority, next_attempt_at, attempts, attempts_by_disposition,
                   created_at, updated_at)
SELECT 1 + (g % {lists}), '+1' || (2000000000 + g)::text,
       CASE WHEN m < 55 THEN 'new' WHEN m < 70 THEN 'retry_due' WHEN m < 75 THEN 'callback'
            WHEN m < 95 THEN 'done' ELSE 'dnc' END,
       m < 75,
       CASE WHEN m < 55 THEN 2 WHEN m < 70 THEN 1 WHEN m < 75 THEN 0 ELSE 9 END,
       now() + (CASE WHEN m < 55 THEN -86400 WHEN m < 63 THEN -600 WHEN m < 70 THEN 3600 WHEN m < 73 THEN -60
                     WHEN m < 75 THEN 86400 ELSE 0 END) * interval '1 second' - (g % 100000) * interval '1 second',
       0, '{{}}', now(), now()
FROM (SELECT g, g % 100 AS m FROM generate_series({first}, {last}) AS g) AS s
"""


async def main(url: str, leads: int, lists: int, runs: int) -> None:
    from dialer.app import database
    from dialer.graphql.leads.hopper import next_dialable

    try:
        await database.migrate(url)
        await database.open_orm(url)
        direct = await asyncpg.connect(url)
        await direct.execute(
            f"INSERT INTO lead_lists (name, retry_rules, created_at, updated_at) "
            f"SELECT 'list ' || g, '{{}}', now(), now() FROM generate_series(1, {lists}) g"
        )
        began = time.perf_counter()
        step = 1_000_000
        for start in range(0, leads, step):
            await direct.execute(FILL.format(lists=lists, first=start + 1, last=min(start + step, leads)))
            print(f"  filled {min(start + step, leads):,} leads", flush=True)
        await direct.execute("ANALYZE leads")
        print(f"filled {leads:,} leads over {lists} lists in {time.perf_counter() - began:.0f} s")
        await direct.close()
        rng = random.Random(1)
        now = datetime.now(UTC)
        await next_dialable(1, now, 100)  # warm the connection and the plan
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            rows = await next_dialable(rng.randint(1, lists), now, 100)
            timings.append((time.perf_counter() - started) * 1000)
            assert len(rows) == 100
        timings.sort()
        print(
            f"next 100 dialable leads, {runs} calls at random lists: p50 {statistics.median(timings):.2f} ms, "
            f"p99 {timings[int(runs * 0.99) - 1]:.2f} ms, max {timings[-1]:.2f} ms"
        )
    finally:
        await database.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--leads", type=int, default=10_000_000)
    parser.add_argument("--lists", type=int, default=20)
    parser.add_argument("--runs", type=int, default=500)
    args = parser.parse_args()
    with scratch_database("postgres", "hopper") as url:
        asyncio.run(main(url, args.leads, args.lists, args.runs))
