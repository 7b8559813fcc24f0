"""Bulk SQL for imports. Both databases skip rows that already exist and say which they inserted,
which is how duplicates are found with no in-memory set of the file's numbers.

PostgreSQL: the chunk, already COPY text (see chunks.py), is copied into two temporary staging
tables, and one statement then inserts its leads (DNC-listed ones stored as dnc), writes every reject
with its reason, and counts both. SQLite: multi-row VALUES within its parameter limit, then the
rejects.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import orjson
from tortoise.backends.base.client import BaseDBAsyncClient

from dialer.graphql.leads.chunks import StagedChunk
from dialer.graphql.leads.rows import REPEAT, STAGE_LEAD_COLUMNS, STAGE_REFUSED_COLUMNS, LeadRow

LEAD_COLUMNS = (
    "list_id",
    "phone",
    "alt_phone1",
    "alt_phone2",
    "first_name",
    "last_name",
    "state",
    "timezone",
    "zip",
    "notes",
    "status",
    "dialable",
    "priority",
    "next_attempt_at",
    "attempts",
    "attempts_by_disposition",
    "import_job_id",
    "created_at",
    "updated_at",
)
SQLITE_ROWS = 1000  # 19 columns x 1000 stays under SQLite's 32766 parameters


def is_postgres(connection: BaseDBAsyncClient) -> bool:
    return connection.capabilities.dialect == "postgres"


def lead_values(row: LeadRow, list_id: int, job_id: int, dnc: bool, now: datetime) -> tuple:
    status, dialable, priority = ("dnc", False, 9) if dnc else ("new", True, 2)
    return (list_id, *row, status, dialable, priority, now, 0, "{}", job_id, now, now)


LEADS_STAGE, REFUSED_STAGE = "dialer_import_leads", "dialer_import_refused"

# The first statements of each chunk's transaction (SET TRANSACTION must come before any query).
# Read committed whatever the server's default: each statement sees what the chunk before committed,
# and two chunks in flight update the job's row one after the other. The staging tables are
# temporary: per session, never WAL-logged, no index, no foreign key; ON COMMIT DELETE ROWS empties
# them at commit, and a rollback (a crash) takes their rows with it. Created when missing, so they
# also survive a pooler that hands out another session. New numbers and the other rows are staged
# apart so that the insert reads a whole table: with no filter on a column without statistics, the
# planner's row estimate holds, and it hashes the DNC list once for the chunk when that list is
# small (it probes the index row by row when it is large). jit off: the estimates can cross
# jit_above_cost, and compiling costs more than it saves on 10,000 rows. The commit stays
# synchronous (a durable checkpoint): synchronous_commit off bought nothing measurable here.
_PG_PREPARE = f"""
SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
SET LOCAL jit = off;
SET LOCAL client_min_messages = warning;
CREATE TEMP TABLE IF NOT EXISTS {LEADS_STAGE} (
    row_number bigint NOT NULL, phone text NOT NULL, alt_phone1 text, alt_phone2 text, first_name text,
    last_name text, state text, timezone text, zip text, notes text, line text NOT NULL
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS {REFUSED_STAGE} (
    row_number bigint NOT NULL, reason text NOT NULL, phone text, line text NOT NULL
) ON COMMIT DELETE ROWS
"""

# One statement per chunk, so one snapshot: the leads scanned to name a duplicate's reason are those
# committed before it began. A new number not inserted was in the list then: brought in by this job
# (duplicate_in_file) or not (duplicate_in_list). Or it was inserted meanwhile by another import's
# transaction, which the snapshot does not see: duplicate_in_list, rightly. A REPEAT row (its number
# was in the previous chunk, which may not be committed yet) is duplicate_in_list only if the number
# was in the list before that chunk. Only those few rows look their lead up. `blocked` is computed
# once per row (OFFSET 0 keeps the planner from copying the EXISTS into each of the three columns
# that use it). Leads go in in file order (a sequential scan of the stage), so their ids follow the
# file as before; rejects too.
_PG_STORE = f"""
WITH added AS (
    INSERT INTO leads ({", ".join(LEAD_COLUMNS)})
    SELECT $1, phone, alt_phone1, alt_phone2, first_name, last_name, state, timezone, zip, notes,
           CASE WHEN blocked THEN 'dnc' ELSE 'new' END, NOT blocked, CASE WHEN blocked THEN 9 ELSE 2 END,
           $3, 0, '{{}}', $2, $3, $3
    FROM (
        SELECT s.*, EXISTS (SELECT 1 FROM dnc_numbers d WHERE d.scope = 'global' AND d.phone = s.phone) AS blocked
        FROM {LEADS_STAGE} s OFFSET 0
    ) AS incoming
    ON CONFLICT (list_id, phone) DO NOTHING
    RETURNING phone, dialable
), refused AS (
    INSERT INTO import_rejects (job_id, row_number, reason, line)
    SELECT $2, r.row_number,
           CASE WHEN r.reason IS NOT NULL AND r.reason <> '{REPEAT}' THEN r.reason
                WHEN coalesce(
                    (SELECT coalesce(l.import_job_id, 0) FROM leads l WHERE l.list_id = $1 AND l.phone = r.phone),
                    CASE WHEN r.reason = '{REPEAT}' THEN $2 END
                ) = $2 THEN 'duplicate_in_file'
                ELSE 'duplicate_in_list' END,
           r.line
    FROM (
        SELECT row_number, reason, phone, line FROM {REFUSED_STAGE}
        UNION ALL
        SELECT row_number, NULL, phone, line FROM {LEADS_STAGE} s
        WHERE NOT EXISTS (SELECT 1 FROM added a WHERE a.phone = s.phone)
    ) AS r
    ORDER BY r.row_number
    ON CONFLICT DO NOTHING
    RETURNING reason
)
SELECT (SELECT count(*) FROM added) AS accepted,
       (SELECT count(*) FROM added WHERE NOT dialable) AS dnc,
       (SELECT coalesce(json_object_agg(reason, n), '{{}}')::text FROM (
            SELECT reason, count(*) AS n FROM refused GROUP BY reason) AS r) AS reasons
"""


@dataclass(frozen=True)
class Stored:
    """What a chunk added: leads (DNC hits among them) and rejects by reason."""

    accepted: int
    dnc_hits: int
    rejected_by_reason: dict[str, int]


async def store_staged(
    connection: BaseDBAsyncClient, chunk: StagedChunk, list_id: int, job_id: int, now: datetime
) -> Stored:
    """PostgreSQL: a chunk's COPY text into the staging tables, then its leads and rejects stored, in
    the caller's transaction."""
    async with connection.acquire_connection() as raw:
        await raw.execute(_PG_PREPARE)
        # Memoryviews: asyncpg would take bytes for a file name.
        for table, columns, text in (
            (LEADS_STAGE, STAGE_LEAD_COLUMNS, chunk.leads),
            (REFUSED_STAGE, STAGE_REFUSED_COLUMNS, chunk.refused),
        ):
            if text:
                await raw.copy_to_table(table, source=memoryview(text), columns=columns, format="text")
        found = await raw.fetchrow(_PG_STORE, list_id, job_id, now)
    return Stored(found["accepted"], found["dnc"], orjson.loads(found["reasons"]))


# SQLite: the chunk as Python objects (chunks.Chunk); see imports._store_objects.


async def insert_leads(
    connection: BaseDBAsyncClient, rows: Sequence[LeadRow], list_id: int, job_id: int, now: datetime
) -> tuple[set[str], int]:
    """Insert what is new (globally DNC-listed numbers stored as dnc); return the phones inserted and
    how many of them were DNC-listed."""
    if not rows:
        return set(), 0
    blocked = await global_dnc(connection, [row.phone for row in rows])
    values = [lead_values(row, list_id, job_id, row.phone in blocked, now) for row in rows]
    inserted: set[str] = set()
    one = "(" + ", ".join("?" * len(LEAD_COLUMNS)) + ")"
    for start in range(0, len(values), SQLITE_ROWS):
        part = values[start : start + SQLITE_ROWS]
        sql = (
            f"INSERT INTO leads ({', '.join(LEAD_COLUMNS)}) VALUES {', '.join([one] * len(part))} "
            "ON CONFLICT (list_id, phone) DO NOTHING RETURNING phone"
        )
        found_rows = await connection.execute_query_dict(sql, [v for row in part for v in row])
        inserted.update(row["phone"] for row in found_rows)
    return inserted, len(inserted & blocked)


async def _in_list(connection: BaseDBAsyncClient, sql: str, head: list, items: list) -> list[dict]:
    found: list[dict] = []
    for start in range(0, len(items), 30000):
        part = items[start : start + 30000]
        found.extend(await connection.execute_query_dict(sql.format(marks=", ".join("?" * len(part))), [*head, *part]))
    return found


async def global_dnc(connection: BaseDBAsyncClient, phones: list[str]) -> set[str]:
    sql = "SELECT phone FROM dnc_numbers WHERE scope = 'global' AND phone IN ({marks})"
    return {row["phone"] for row in await _in_list(connection, sql, [], phones)}


async def owners(connection: BaseDBAsyncClient, list_id: int, phones: list[str]) -> dict[str, int | None]:
    """For phones already in the list: the import that brought each in."""
    sql = "SELECT phone, import_job_id FROM leads WHERE list_id = ? AND phone IN ({marks})"
    return {row["phone"]: row["import_job_id"] for row in await _in_list(connection, sql, [list_id], phones)}


async def insert_rejects(connection: BaseDBAsyncClient, job_id: int, rejects: Sequence[tuple[int, str, str]]) -> None:
    """(row number, reason, line); a resumed import may write a row again, so repeats are skipped."""
    for start in range(0, len(rejects), 5000):
        part = rejects[start : start + 5000]
        await connection.execute_query(
            "INSERT INTO import_rejects (job_id, row_number, reason, line) VALUES "
            + ", ".join(["(?, ?, ?, ?)"] * len(part))
            + " ON CONFLICT DO NOTHING",
            [v for reject in part for v in (job_id, *reject)],
        )
