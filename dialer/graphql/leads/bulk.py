"""Bulk SQL for imports, one statement per chunk: PostgreSQL takes the chunk as column arrays;
SQLite takes multi-row VALUES within its parameter limit. Both skip rows that already exist and say which they
inserted, which is how duplicates are found with no in-memory set of the file's numbers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from dialer.graphql.leads.rows import LeadRow

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


# PostgreSQL: the chunk as nine text arrays (unnest; `->>` on JSON would re-parse each row per
# column), the per-chunk constants as parameters, the DNC check inside the statement, and one row
# back (Tortoise turns every returned row into a dict, and its execute_query drops the rows of an
# INSERT ... RETURNING).
_PG_INSERT = f"""
WITH incoming AS (
    SELECT r.*, EXISTS (SELECT 1 FROM dnc_numbers d WHERE d.scope = 'global' AND d.phone = r.phone) AS blocked
    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                $9::text[]) AS r(phone, alt_phone1, alt_phone2, first_name, last_name, state, timezone, zip, notes)
), added AS (
    INSERT INTO leads ({", ".join(LEAD_COLUMNS)})
    SELECT $10, phone, alt_phone1, alt_phone2, first_name, last_name, state, timezone, zip, notes,
           CASE WHEN blocked THEN 'dnc' ELSE 'new' END, NOT blocked, CASE WHEN blocked THEN 9 ELSE 2 END,
           $12, 0, '{{}}', $11, $12, $12
    FROM incoming
    ON CONFLICT (list_id, phone) DO NOTHING
    RETURNING phone, status
)
SELECT coalesce(array_agg(phone), '{{}}') AS phones, count(*) FILTER (WHERE status = 'dnc') AS dnc FROM added
"""


async def insert_leads(
    connection: BaseDBAsyncClient, rows: Sequence[LeadRow], list_id: int, job_id: int, now: datetime
) -> tuple[set[str], int]:
    """Insert what is new (globally DNC-listed numbers stored as dnc); return the phones inserted and
    how many of them were DNC-listed."""
    if not rows:
        return set(), 0
    if is_postgres(connection):
        columns = [list(column) for column in zip(*rows, strict=True)]
        found = (await connection.execute_query_dict(_PG_INSERT, [*columns, list_id, job_id, now]))[0]
        return set(found["phones"]), found["dnc"]
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


async def _in_list(connection: BaseDBAsyncClient, sql_pg: str, sql_lite: str, head: list, items: list) -> list[dict]:
    if not items:
        return []
    if is_postgres(connection):
        return await connection.execute_query_dict(sql_pg, [*head, items])
    found: list[dict] = []
    for start in range(0, len(items), 30000):
        part = items[start : start + 30000]
        sql = sql_lite.format(marks=", ".join("?" * len(part)))
        found.extend(await connection.execute_query_dict(sql, [*head, *part]))
    return found


async def global_dnc(connection: BaseDBAsyncClient, phones: list[str]) -> set[str]:
    rows = await _in_list(
        connection,
        "SELECT phone FROM dnc_numbers WHERE scope = 'global' AND phone = ANY($1::text[])",
        "SELECT phone FROM dnc_numbers WHERE scope = 'global' AND phone IN ({marks})",
        [],
        phones,
    )
    return {row["phone"] for row in rows}


async def owners(connection: BaseDBAsyncClient, list_id: int, phones: list[str]) -> dict[str, int | None]:
    """For phones already in the list: the import that brought each in."""
    rows = await _in_list(
        connection,
        "SELECT phone, import_job_id FROM leads WHERE list_id = $1 AND phone = ANY($2::text[])",
        "SELECT phone, import_job_id FROM leads WHERE list_id = ? AND phone IN ({marks})",
        [list_id],
        phones,
    )
    return {row["phone"]: row["import_job_id"] for row in rows}


async def insert_rejects(connection: BaseDBAsyncClient, job_id: int, rejects: Sequence[tuple[int, str, str]]) -> None:
    """(row number, reason, line); a resumed import may write a row again, so repeats are skipped."""
    if not rejects:
        return
    if is_postgres(connection):
        rows, reasons, lines = (list(c) for c in zip(*rejects, strict=True))
        await connection.execute_query(
            "INSERT INTO import_rejects (job_id, row_number, reason, line) "
            "SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::text[]) ON CONFLICT DO NOTHING",
            [job_id, rows, reasons, lines],
        )
        return
    for start in range(0, len(rejects), 5000):
        part = rejects[start : start + 5000]
        await connection.execute_query(
            "INSERT INTO import_rejects (job_id, row_number, reason, line) VALUES "
            + ", ".join(["(?, ?, ?, ?)"] * len(part))
            + " ON CONFLICT DO NOTHING",
            [v for reject in part for v in (job_id, *reject)],
        )
