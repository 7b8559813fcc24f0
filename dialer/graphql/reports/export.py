"""The CDR report as CSV, streamed in constant memory: the REST route's `stream` hook
(dialer.rest_compat.table), run after the GraphQL field `cdrReport` has checked the caller's role and
the same arguments.

PostgreSQL: one `COPY (SELECT ...) TO STDOUT (FORMAT csv, HEADER)` on a connection of its own, whose
chunks go through a bounded queue to the response; when the queue is full, asyncpg stops reading the
socket and PostgreSQL waits. SQLite: keyset pages of PAGE rows, one short query each, so the single
connection is never held for the whole download. Either way rows come in (end_at, id) order, the
order of the JSON pages, and a client that goes away cancels the query (the response's task is
cancelled, and with it the COPY)."""

from __future__ import annotations

import asyncio
import csv
import io
import logging
from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime
from typing import Any

from tortoise import connections

from dialer.graphql.reports import service

log = logging.getLogger(__name__)
_RUNNING: set[asyncio.Task[None]] = set()  # producers, referenced until they end

# (CSV header = the Cdr type's GraphQL field, column, is a timestamp)
COLUMNS: tuple[tuple[str, str, bool], ...] = (
    ("uuid", "uuid", False),
    ("callId", "call_id", False),
    ("direction", "direction", False),
    ("node", "node", False),
    ("campaignId", "campaign_id", False),
    ("listId", "list_id", False),
    ("leadId", "lead_id", False),
    ("trunkId", "trunk_id", False),
    ("queue", "queue", False),
    ("agentId", "agent_id", False),
    ("startAt", "start_at", True),
    ("answerAt", "answer_at", True),
    ("endAt", "end_at", True),
    ("duration", "duration_s", False),
    ("billsec", "billsec_s", False),
    ("progressMs", "progress_ms", False),
    ("earlyMediaMs", "early_media_ms", False),
    ("queueWaitMs", "queue_wait_ms", False),
    ("hangupCause", "hangup_cause", False),
    ("q850", "q850", False),
    ("sipStatus", "sip_status", False),
    ("callerIdName", "caller_id_name", False),
    ("callerIdNumber", "caller_id_number", False),
    ("destinationNumber", "destination_number", False),
    ("recordingUrl", "recording_url", False),
    ("amdLabel", "amd_label", False),
    ("amdConfidence", "amd_confidence", False),
    ("amdLatencyMs", "amd_latency_ms", False),
    ("outcome", "outcome", False),
    ("disposition", "disposition", False),
    ("networkAddr", "network_addr", False),
    ("readCodec", "read_codec", False),
    ("writeCodec", "write_codec", False),
    ("receivedAt", "received_at", True),
)
HEADER = tuple(name for name, _, _ in COLUMNS)
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"  # UTC, microseconds, always this width
_PG_TIME = """to_char({0} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""
QUEUE_CHUNKS = 16  # COPY chunks in flight (asyncpg hands over what one socket read brought)
PAGE = 2000  # SQLite rows per query


def where(f: service.CdrFilter) -> tuple[str, list[Any]]:
    """The filter's conditions as SQL with $1, $2... (the same conditions the JSON page applies)."""
    parts, values = [], []
    for column, operator, value in service.conditions(f):
        if operator == "IS NULL":
            parts.append(f"{column} IS NULL")
        else:
            values.append(value)
            parts.append(f"{column} {operator} ${len(values)}")
    return " AND ".join(parts), values


async def cdr_csv(arguments: Mapping[str, Any]) -> AsyncIterator[bytes]:
    """The CSV body for the cdrReport arguments (GraphQL names; `after` resumes after a cursor)."""
    f = service.cdr_filter(arguments)
    after = service.decode_cursor(arguments["after"]) if arguments.get("after") else None
    client = connections.get("default")
    rows = _copy(client, f, after) if client.capabilities.dialect == "postgres" else _pages(client, f, after)
    async for chunk in rows:
        yield chunk


def _keyset(after: tuple[datetime, int] | None, values: list[Any]) -> str:
    if after is None:
        return ""
    values += [after[0], after[1]]
    n = len(values)
    return f" AND (end_at > ${n - 1} OR (end_at = ${n - 1} AND id > ${n}))"


async def _copy(client: Any, f: service.CdrFilter, after: tuple[datetime, int] | None) -> AsyncIterator[bytes]:
    condition, values = where(f)
    condition += _keyset(after, values)
    select = ", ".join(f'{_PG_TIME.format(column) if stamp else column} AS "{name}"' for name, column, stamp in COLUMNS)
    query = f"SELECT {select} FROM cdrs WHERE {condition} ORDER BY end_at, id"
    queue: asyncio.Queue[bytes | BaseException | None] = asyncio.Queue(QUEUE_CHUNKS)

    # The query and its connection live in a task of their own, not under the response's cancel
    # scope, so that when the client goes away, cancelling it still returns the connection cleanly.
    async def produce() -> None:
        try:
            async with client.acquire_connection() as raw:
                await raw.copy_from_query(query, *values, output=queue.put, format="csv", header=True)
        except Exception as failed:
            log.error("CDR export failed: %s", failed)
            await queue.put(failed)
            return
        await queue.put(None)

    producer = asyncio.get_running_loop().create_task(produce())
    _RUNNING.add(producer)
    producer.add_done_callback(_RUNNING.discard)
    try:
        while True:
            item = await queue.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise RuntimeError("CDR export interrupted") from item
            yield bytes(item)  # asyncpg hands over bytearrays
    finally:
        producer.cancel()  # a no-op once it is done; else the client went away: stop the COPY


def _stamp(value: Any) -> str:
    if value is None:
        return ""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC).strftime(TIME_FORMAT)


async def _pages(client: Any, f: service.CdrFilter, after: tuple[datetime, int] | None) -> AsyncIterator[bytes]:
    columns = ", ".join(column for _, column, _ in COLUMNS)
    stamps = [i for i, (_, _, stamp) in enumerate(COLUMNS) if stamp]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    while True:
        condition, values = where(f)
        condition += _keyset(after, values)
        sql = f"SELECT id, {columns} FROM cdrs WHERE {condition} ORDER BY end_at, id LIMIT {PAGE}"
        _, rows = await client.execute_query(sql.replace("$", "?"), values)
        for row in rows:
            line = list(row)[1:]
            for i in stamps:
                line[i] = _stamp(line[i])
            writer.writerow(line)
        yield out.getvalue().encode()
        out.seek(0)
        out.truncate()
        if len(rows) < PAGE:
            return
        last = rows[-1]
        after = (
            datetime.fromisoformat(last["end_at"]) if isinstance(last["end_at"], str) else last["end_at"],
            last["id"],
        )
