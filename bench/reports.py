"""Reports at volume on PostgreSQL: load CDRs (and the agents' status history) with COPY into a scratch
database, start a real `dialer serve` on it, time each aggregate over one day through its REST route,
and stream a CSV export of a million rows through GET /api/v1/reports/cdr?format=csv.

    .venv/bin/python bench/reports.py [--cdrs 5000000] [--days 30] [--export 1000000] [--runs 7]

Targets (issue #8): each aggregate over one day <= 300 ms with 5,000,000 CDRs; the CSV export at
>= 100,000 rows/s with the server under 100 MB RSS. The data: 20 campaigns, 8 trunks and 200 agents,
calls from 08:00 to 21:00 each day in end order (as CDRs arrive), an outcome mix of a predictive
campaign (30 % no answer, 18 % human, 12 % voicemail, 10 % busy, ...), and for each human its agent's
On Call, Wrapup and Available changes plus a log-in and log-out a day. The scratch database is dropped
at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import jwt
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from scratch_db import ADMIN, _admin, scratch_database

console = Console(width=120)
START = datetime(2026, 1, 1, tzinfo=UTC)
SECRET = "bench-secret-that-is-long-enough-for-hs256"
CAMPAIGNS, TRUNKS, AGENTS = 20, 8, 200
# outcome, weight, answered, sip status, hangup cause, amd label
OUTCOMES = [
    ("NOANSWER", 30, False, 480, "NO_ANSWER", None),
    ("HUMAN", 18, True, 200, "NORMAL_CLEARING", "HUMAN"),
    ("VOICEMAIL", 12, True, 200, "NORMAL_CLEARING", "VOICEMAIL"),
    ("BUSY", 10, False, 486, "USER_BUSY", None),
    ("FAILED", 8, False, 503, "NORMAL_TEMPORARY_FAILURE", None),
    ("CANCELLED", 7, False, 487, "ORIGINATOR_CANCEL", None),
    ("INVALID_NUMBER", 5, False, 404, "UNALLOCATED_NUMBER", None),
    ("SIT", 4, False, 404, "UNALLOCATED_NUMBER", "SIT"),
    ("REJECTED", 3, False, 603, "CALL_REJECTED", None),
    ("FAX", 1, True, 200, "NORMAL_CLEARING", "FAX"),
    ("ABANDONED", 0.6, True, 200, "NORMAL_CLEARING", "HUMAN"),
]
DISPOSITION = {"HUMAN": "HUMAN", "INVALID_NUMBER": "INVALID"}
CDR_COLUMNS = [
    "uuid", "call_id", "direction", "node", "campaign_id", "list_id", "lead_id", "trunk_id", "queue", "agent_id",
    "start_at", "answer_at", "end_at", "duration_s", "billsec_s", "progress_ms", "hangup_cause", "sip_status",
    "caller_id_number", "destination_number", "amd_label", "amd_confidence", "outcome", "disposition",
    "read_codec", "write_codec", "document", "received_at",
]  # fmt: skip
WRAP_S = 10


HMS = [f"{h:02d}:{m:02d}:{x:02d}" for h in range(24) for m in range(60) for x in range(60)]


def _stamp(day: str, second: float) -> str:
    """`day` (YYYY-MM-DD) at `second` of it, as PostgreSQL reads it: fast, no datetime per value."""
    whole = int(second)
    return f"{day} {HMS[whole]}.{int((second - whole) * 1e6):06d}+00"


async def generate(total: int, days: int, history: list[tuple[str, str, datetime]]) -> AsyncIterator[bytes]:
    """The CDRs as COPY text, in end order; each human's agent changes go into `history`."""
    rng = random.Random(8)
    per_day = total // days
    open_s = 13 * 3600  # 08:00-21:00
    humans, n = 0, 0
    while n < total:
        picks = rng.choices(range(len(OUTCOMES)), [o[1] for o in OUTCOMES], k=min(10_000, total - n))
        lines: list[str] = []
        for pick in picks:
            day, k = divmod(n, per_day)
            day = min(day, days - 1)
            midnight = START + timedelta(days=day)
            date = midnight.strftime("%Y-%m-%d")
            end = 8 * 3600 + open_s * min(k, per_day - 1) / per_day
            outcome, _, answered, sip, cause, amd = OUTCOMES[pick]
            pdd = 400 + int(rng.random() * 4600)
            billsec = (
                (5 + int(rng.random() * 235)) if outcome == "HUMAN" else (3 + int(rng.random() * 37)) if answered else 0
            )
            answer = end - billsec if answered else None
            start = (answer or end) - pdd / 1000 - 1 - rng.random() * 19
            agent = None
            if outcome == "HUMAN":
                agent = f"{1000 + humans % AGENTS}"
                humans += 1
                history.extend(
                    [
                        (agent, "On Call", midnight + timedelta(seconds=answer + min(2, billsec - 1))),
                        (agent, "Wrapup", midnight + timedelta(seconds=end)),
                        (agent, "Available", midnight + timedelta(seconds=end + WRAP_S)),
                    ]
                )
            campaign = f"cmp_{1 + n % CAMPAIGNS}"
            trunk = f"gw_{1 + (n * 7) % TRUNKS}"
            uuid = f"{n:08x}-bench-{day:02d}"
            number = f"+1212{2000000 + int(rng.random() * 7999999)}"
            document = (
                f'{{"uuid":"{uuid}","campaign_id":"{campaign}","trunk_id":"{trunk}","hangup_cause":"{cause}",'
                f'"sip_hangup_cause":"{sip}","billsec":{billsec},"destination_number":"{number}",'
                f'"progress_ms":"{pdd}","amd_label":"{amd or ""}","agent_id":"{agent or ""}"}}'
            )
            values = [
                uuid, uuid, "outbound", "fs1", campaign, "lst_1", f"lead_{n + 1}", trunk,
                "sales" if outcome in ("HUMAN", "ABANDONED") else None, agent,
                _stamp(date, start), _stamp(date, answer) if answer is not None else None, _stamp(date, end),
                int(end - start), billsec, pdd, cause, sip, "+13055550123", number, amd,
                f"0.{60 + int(rng.random() * 39)}" if amd else None, outcome, DISPOSITION.get(outcome, outcome),
                "PCMU", "PCMU", document, _stamp(date, end + 0.04),
            ]  # fmt: skip
            lines.append("\t".join("\\N" if v is None else str(v) for v in values))
            n += 1
        yield ("\n".join(lines) + "\n").encode()


async def load(url: str, total: int, days: int) -> None:
    connection = await asyncpg.connect(url.split("?")[0])
    try:
        # Indexes are built once after the load (faster than maintaining them row by row).
        indexes = await connection.fetch(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('cdrs', 'agent_status_changes') "
            "AND indexname NOT LIKE '%key'"  # the primary and unique keys stay
        )
        for index in indexes:
            await connection.execute(f'DROP INDEX "{index["indexname"]}"')
        history: list[tuple[str, str, datetime]] = []
        with Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=console
        ) as progress:
            task = progress.add_task("COPY cdrs", total=total)

            async def counted() -> AsyncIterator[bytes]:
                async for chunk in generate(total, days, history):
                    progress.advance(task, chunk.count(b"\n"))
                    yield chunk

            await connection.copy_to_table("cdrs", source=counted(), columns=CDR_COLUMNS, format="text")
            for day in range(days):  # each agent logs in at 07:55 and out at 21:10
                for a in range(AGENTS):
                    at = START + timedelta(days=day)
                    history.append((f"{1000 + a}", "Available", at + timedelta(hours=7, minutes=55)))
                    history.append((f"{1000 + a}", "Logged Out", at + timedelta(hours=21, minutes=10)))
            task = progress.add_task("COPY agent_status_changes", total=len(history))
            for begin in range(0, len(history), 200_000):
                rows = history[begin : begin + 200_000]
                await connection.copy_records_to_table(
                    "agent_status_changes", records=rows, columns=["agent", "status", "at"]
                )
                progress.advance(task, len(rows))
            await connection.executemany(
                "INSERT INTO cc_agents (name, contact, type, status, status_changed_at, created_at, updated_at) "
                "VALUES ($1, $2, 'callback', 'Available', now(), now(), now())",
                [(f"{1000 + a}", f"user/{1000 + a}") for a in range(AGENTS)],
            )
            task = progress.add_task("CREATE INDEX, VACUUM ANALYZE", total=len(indexes) + 1)
            for index in indexes:
                await connection.execute(index["indexdef"])
                progress.advance(task)
            await connection.execute("VACUUM ANALYZE cdrs")
            await connection.execute("VACUUM ANALYZE agent_status_changes")
            progress.advance(task)
        console.print(f"loaded {total:,} CDRs and {len(history):,} agent status changes")
    finally:
        await connection.close()


async def export_period(url: str, rows: int, day: int) -> tuple[datetime, datetime]:
    """[from, to) starting at a day's 00:00 that holds exactly `rows` CDRs."""
    connection = await asyncpg.connect(url.split("?")[0])
    try:
        since = START + timedelta(days=day)
        last = await connection.fetchval(
            "SELECT end_at FROM cdrs WHERE end_at >= $1 ORDER BY end_at, id OFFSET $2 LIMIT 1", since, rows - 1
        )
        return since, last + timedelta(microseconds=1)
    finally:
        await connection.close()


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024


def serve(url: str, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DIALER_DATABASE_URL": url,
        "DIALER_JWT_SECRET": SECRET,
        "DIALER_BOOTSTRAP_TOKEN": "false",
        "DIALER_LOG_LEVEL": "warning",
        "DIALER_DATA_DIR": f"/tmp/dialer-bench-reports-{port}",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "dialer.app.cli", "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    sys.exit("the server did not start")


def measure(url: str, args: argparse.Namespace) -> None:
    port = 18000 + os.getpid() % 1000
    server = serve(url, port)
    token = jwt.encode({"sub": "bench", "role": "admin", "exp": datetime.now(UTC) + timedelta(hours=2)}, SECRET)
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}/api/v1", headers={"Authorization": f"Bearer {token}"})
    try:
        day = START + timedelta(days=args.days // 2)
        period = {"from": day.isoformat(), "to": (day + timedelta(days=1)).isoformat()}
        console.print(
            f"\n[bold]Aggregates over one day[/] ({period['from'][:10]}), median of {args.runs} (target <= 300 ms)"
        )
        for report in ("campaign", "provider", "agent"):
            client.get(f"/reports/{report}", params=period, timeout=60).raise_for_status()  # warm
            times = []
            for _ in range(args.runs):
                began = time.perf_counter()
                response = client.get(f"/reports/{report}", params=period, timeout=60)
                times.append((time.perf_counter() - began) * 1000)
                response.raise_for_status()
            items = response.json()["items"]
            calls = sum(i["calls"] for i in items)
            median = statistics.median(times)
            verdict = "ok" if median <= 300 else "MISSED"
            console.print(
                f"  GET /reports/{report:<8} {median:7.1f} ms median (min {min(times):.1f}, max {max(times):.1f}); "
                f"{len(items)} rows, {calls:,} calls  {verdict}"
            )

        since, until = asyncio.run(export_period(url, args.export, 3))
        params = {"from": since.isoformat(), "to": until.isoformat(), "format": "csv"}
        console.print(f"\n[bold]CSV export[/] of {args.export:,} rows through GET /reports/cdr?format=csv")
        baseline = rss_mb(server.pid)
        peak, lines, size = baseline, 0, 0
        began = time.perf_counter()
        sampled = began
        with client.stream("GET", "/reports/cdr", params=params, timeout=120) as response:
            response.raise_for_status()
            for chunk in response.iter_raw(1 << 16):
                lines += chunk.count(b"\n")
                size += len(chunk)
                if time.perf_counter() - sampled > 0.05:
                    peak, sampled = max(peak, rss_mb(server.pid)), time.perf_counter()
        elapsed = time.perf_counter() - began
        peak = max(peak, rss_mb(server.pid))
        rows = lines - 1  # the header
        rate = rows / elapsed
        console.print(
            f"  {rows:,} rows ({size / 1e6:.0f} MB) in {elapsed:.2f} s = {rate:,.0f} rows/s "
            f"(target >= 100,000) {'ok' if rate >= 100_000 and rows == args.export else 'MISSED'}"
        )
        console.print(
            f"  server RSS: {baseline:.0f} MB before, peak {peak:.0f} MB during (target < 100 MB) "
            f"{'ok' if peak < 100 else 'MISSED'}; the export itself: +{peak - baseline:.0f} MB"
        )
    finally:
        client.close()
        server.terminate()
        server.wait(20)


def load_and_measure(url: str, args: argparse.Namespace) -> None:
    from dialer.app import database

    asyncio.run(database.migrate(url))
    began = time.perf_counter()
    asyncio.run(load(url, args.cdrs, args.days))
    console.print(f"load took {time.perf_counter() - began:.0f} s")
    measure(url, args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cdrs", type=int, default=5_000_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--export", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--url", help="measure this already loaded database instead (kept)")
    parser.add_argument("--keep", action="store_true", help="load into a database that is kept (for --url)")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    if args.url:
        measure(args.url, args)
    elif args.keep:
        url = f"{ADMIN.rsplit('/', 1)[0]}/dialer_reports_kept?maxsize=20"
        asyncio.run(_admin("CREATE DATABASE dialer_reports_kept"))
        load_and_measure(url, args)
        console.print(f"kept: {url}")
    else:
        with scratch_database("postgres", "reports", "?maxsize=20") as url:
            load_and_measure(url, args)
    console.print(
        f"\nload average (1 min) {load_before:.2f} before, {os.getloadavg()[0]:.2f} after, on {os.cpu_count()} CPUs"
    )


if __name__ == "__main__":
    main()
