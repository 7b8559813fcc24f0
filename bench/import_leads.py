"""Import a generated CSV into PostgreSQL with `dialer leads import`, end to end, and print rows/s
and the importer's peak RSS.

    .venv/bin/python bench/import_leads.py [--rows 1000000] [--db postgres|sqlite]

The file mixes every US time zone (Eastern to Hawaii, Arizona and Puerto Rico too), 5 % invalid
numbers, 3 % duplicates of earlier rows and 2 % numbers on the global DNC list; a third of the rows
carry a ZIP, a third a state name, some a time zone of their own. Target: >= 50,000 rows/s, < 300 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import tempfile
import time

from scratch_db import scratch_database

# Area codes by zone, with a ZIP and state of the same place.
PLACES = [
    ("212", "10001", "New York", "America/New_York"),
    ("305", "33101", "FL", "America/New_York"),
    ("312", "60601", "Illinois", "America/Chicago"),
    ("214", "75201", "TX", "America/Chicago"),
    ("303", "80202", "Colorado", "America/Denver"),
    ("602", "85001", "AZ", "America/Phoenix"),
    ("213", "90001", "California", "America/Los_Angeles"),
    ("206", "98101", "WA", "America/Los_Angeles"),
    ("907", "99501", "Alaska", "America/Anchorage"),
    ("808", "96801", "HI", "Pacific/Honolulu"),
    ("787", "00901", "PR", "America/Puerto_Rico"),
    ("317", "46201", "Indiana", "America/Indiana/Indianapolis"),
]


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, from /proc."""
    total = 0
    for proc in [pid, *_children(pid)]:
        try:
            with open(f"/proc/{proc}/status") as status:
                total += next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
        except (OSError, StopIteration):
            pass
    return total / 1024


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as children:
                found += [int(c) for c in children.read().split()]
    except OSError:
        return found
    return found + [grand for child in found for grand in _children(child)]


def write_csv(path: str, rows: int, seed: int = 7) -> list[str]:
    """Returns the numbers to put on the DNC list."""
    rng = random.Random(seed)
    seen: list[str] = []
    dnc: list[str] = []
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write("phone,firstName,lastName,state,timezone,zip,notes\n")
        for n in range(rows):
            area, zip_code, state, zone = PLACES[n % len(PLACES)]
            roll = rng.random()
            if roll < 0.05:
                phone = rng.choice(["12345", "+1 100 555 0100", "call me", "555-0199", "+1 911 555 0100"])
            elif roll < 0.08 and seen:
                phone = rng.choice(seen)
            else:
                phone = f"({area}) {rng.randint(200, 999)}-{rng.randint(0, 9999):04d}"
                if len(seen) < 200_000:
                    seen.append(phone)
                if roll < 0.10:
                    dnc.append(phone)
            third = n % 3
            out.write(
                ",".join(
                    [
                        phone,
                        f"First{n}",
                        f"Last{n}",
                        state if third == 1 else "",
                        zone if n % 10 == 0 else "",
                        zip_code if third == 0 else "",
                        "" if n % 4 else f'"note {n}, with comma"',
                    ]
                )
                + "\n"
            )
    return dnc


async def _prepare(url: str, dnc: list[str]) -> None:
    from dialer.app import database
    from dialer.graphql.phones import PhoneParser
    from dialer.models import DncNumber, LeadList

    await database.migrate(url)
    await database.open_orm(url)
    try:
        await LeadList.create(name="bench")
        parser = PhoneParser()
        blocked = {p.e164 for p in map(parser.parse, dnc) if p}
        await DncNumber.bulk_create(
            [DncNumber(phone=p, scope="global", created_by="bench") for p in blocked], batch_size=5000
        )
    finally:
        await database.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dialer-bench-") as folder:  # the CSV is 50 MB a million rows
        run(args, os.path.join(folder, "leads.csv"))


def run(args: argparse.Namespace, csv_path: str) -> None:
    began = time.perf_counter()
    dnc = write_csv(csv_path, args.rows)
    size_mb = os.path.getsize(csv_path) / 1e6
    print(f"generated {args.rows:,} rows ({size_mb:.0f} MB) in {time.perf_counter() - began:.1f} s")
    with scratch_database(args.db, "bench") as url:
        asyncio.run(_prepare(url, dnc))
        env = {**os.environ, "DIALER_DATABASE_URL": url}
        load_before = os.getloadavg()[0]
        began = time.perf_counter()
        importer = subprocess.Popen(
            [sys.executable, "-m", "dialer.app.cli", "leads", "import", "lst_1", csv_path],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        peak_mb = 0.0
        while importer.poll() is None:  # the importer and its reader process, summed
            peak_mb = max(peak_mb, tree_rss_mb(importer.pid))
            time.sleep(0.1)
        elapsed = time.perf_counter() - began
        out, err = importer.communicate()
        if importer.returncode != 0:
            sys.exit(err[-2000:])
        print(out)
        print(
            f"{args.db}: {args.rows:,} rows in {elapsed:.1f} s = {args.rows / elapsed:,.0f} rows/s end to end "
            f"(process start, migrations check, import); peak RSS {peak_mb:.0f} MB (importer + reader process)"
        )
        # The machine may be shared: other work on its cores shows here, and in the figures above.
        print(
            f"load average (1 min) {load_before:.2f} before, {os.getloadavg()[0]:.2f} after, on {os.cpu_count()} CPUs"
        )


if __name__ == "__main__":
    main()
