"""The CDR CSV stream: constant memory by backpressure, and a client that goes away stops the query
(on PostgreSQL the COPY is cancelled on the server and its connection goes back to the pool). And the
agent board tells the status history each change, a wrap-up that ended on the clock at its end."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from tortoise import connections

from dialer.app.agent_board import AgentBoard
from dialer.graphql.reports import export
from dialer.models import Cdr
from tests.conftest import KIND, run

DAY = datetime(2026, 3, 2, tzinfo=UTC)
ROWS = 20_000


def _fill(client) -> None:
    async def fill() -> None:
        rows = [
            Cdr(
                uuid=f"stream-{n}",
                trunk_id="gw_a",
                end_at=DAY + timedelta(seconds=n),
                duration_s=1,
                billsec_s=0,
                outcome="NOANSWER",
                document="{}",
                received_at=DAY,
                destination_number=f"+1212555{n % 10_000:04d}",
                hangup_cause="NO_ANSWER",
            )
            for n in range(ROWS)
        ]
        await Cdr.bulk_create(rows, batch_size=5000)

    run(client, fill)


async def _copies_running() -> int:
    rows = await connections.get("default").execute_query_dict(
        "SELECT count(*) AS n FROM pg_stat_activity WHERE query LIKE 'COPY (SELECT%' AND state = 'active'"
    )
    return rows[0]["n"]


def test_a_client_that_goes_away_stops_the_export(client):
    _fill(client)
    arguments = {"from": DAY, "to": DAY + timedelta(days=1), "trunkId": "gw_a"}

    async def abandon() -> dict:
        received: list[bytes] = []
        first = asyncio.Event()

        async def consume() -> None:
            async for chunk in export.cdr_csv(arguments):
                received.append(chunk)
                first.set()
                await asyncio.sleep(3600)  # a client that stopped reading

        reader = asyncio.get_running_loop().create_task(consume())
        await asyncio.wait_for(first.wait(), 10)
        running = await _copies_running() if KIND == "postgres" else 0
        reader.cancel()  # what Starlette does when the client disconnects
        await asyncio.gather(reader, return_exceptions=True)
        for _ in range(50):
            await asyncio.sleep(0.1)
            if KIND != "postgres" or not await _copies_running():
                break
        after = await _copies_running() if KIND == "postgres" else 0
        return {"received": received, "running": running, "after": after}

    seen = run(client, abandon)
    assert seen["received"][0].startswith(b"uuid,callId,")
    assert sum(chunk.count(b"\n") for chunk in seen["received"]) < ROWS  # backpressure: it waited for us
    if KIND == "postgres":
        assert seen["running"] == 1 and seen["after"] == 0
    # The pool is whole: a full export still works, every row once.
    whole = run(client, lambda: _collect(arguments))
    assert whole.count(b"\n") == ROWS + 1


async def _collect(arguments: dict) -> bytes:
    return b"".join([chunk async for chunk in export.cdr_csv(arguments)])


def test_the_board_tells_each_status_change_and_a_wrap_up_ends_on_the_clock():
    now = [1000.0]
    told: list[tuple[str, str, float]] = []
    board = AgentBoard(wrap_up={"1001": 10}, clock=lambda: now[0])
    board.on_status = lambda agent, status, at: told.append((agent, status, at))
    event = {"CC-Agent": "1001", "CC-Queue": "sales"}
    board.on_event("fs1", event | {"CC-Action": "agent-status-change", "CC-Agent-Status": "Available"})
    now[0] = 1005.0
    board.on_event("fs1", event | {"CC-Action": "bridge-agent-start"})
    now[0] = 1065.0
    board.on_event("fs1", event | {"CC-Action": "bridge-agent-end"})
    now[0] = 1200.0  # nobody looked until now; the wrap-up ended at 1075
    assert board.status("1001") == "Available"
    assert told == [
        ("1001", "Available", 1000.0),
        ("1001", "On Call", 1005.0),
        ("1001", "Wrapup", 1065.0),
        ("1001", "Available", 1075.0),
    ]


def test_the_csv_columns_are_the_json_items_fields():
    from dialer.graphql.schema import schema

    assert list(export.HEADER) == list(schema._schema.type_map["Cdr"].fields)
