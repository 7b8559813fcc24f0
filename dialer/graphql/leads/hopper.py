"""The hopper's read: the next N dialable leads of a list at time T, callbacks first, then retries
due, then new leads, each by when it became due.

One statement: three range scans of idx_leads_hopper (list_id, dialable, priority, next_attempt_at),
each stopping after N rows, then an ordered merge of at most 3N rows. Calling hours, per-campaign
DNC and attempt caps per state are the engine's; DNC-listed, final and exhausted leads are already
not `dialable`."""

from __future__ import annotations

from datetime import datetime

from tortoise import connections

from dialer.engine.leads import PRIORITY

COLUMNS = "id, phone, state, timezone, priority, next_attempt_at, attempts"


def _branch(mark: str, priority: int, limit: str) -> str:
    return (
        f"SELECT * FROM (SELECT {COLUMNS} FROM leads WHERE list_id = {mark[0]} AND dialable = {mark[1]} "
        f"AND priority = {priority} AND next_attempt_at <= {mark[2]} ORDER BY next_attempt_at LIMIT {limit}) "
        f"AS p{priority}"
    )


def hopper_sql(postgres: bool) -> str:
    marks = ("$1", "true", "$2") if postgres else ("?", "1", "?")
    limit = "$3" if postgres else "?"
    union = " UNION ALL ".join(_branch(marks, p, limit) for p in sorted(set(PRIORITY.values())))
    return f"SELECT * FROM ({union}) AS due ORDER BY priority, next_attempt_at LIMIT {limit}"


async def next_dialable(list_key: int, at: datetime, limit: int) -> list[dict]:
    connection = connections.get("default")
    postgres = connection.capabilities.dialect == "postgres"
    params = [list_key, at, limit] if postgres else [v for _ in PRIORITY for v in (list_key, at, limit)] + [limit]
    return await connection.execute_query_dict(hopper_sql(postgres), params)
