"""The hopper's read: order, filters, and that the database plans it on idx_leads_hopper."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tortoise import connections

from dialer.graphql.leads.hopper import hopper_sql, next_dialable
from dialer.models import Lead, LeadList
from tests.conftest import KIND, run

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)


async def _seed() -> int:
    owner = await LeadList.create(name="hopper")
    rows = [
        ("+12125550001", "new", True, 2, NOW - timedelta(days=2)),
        ("+12125550002", "new", True, 2, NOW - timedelta(days=1)),
        ("+12125550003", "retry_due", True, 1, NOW - timedelta(minutes=5)),
        ("+12125550004", "retry_due", True, 1, NOW + timedelta(minutes=5)),  # not yet due
        ("+12125550005", "callback", True, 0, NOW - timedelta(minutes=1)),
        ("+12125550006", "callback", True, 0, NOW + timedelta(hours=1)),  # not yet due
        ("+12125550007", "dnc", False, 9, NOW - timedelta(days=3)),
        ("+12125550008", "done", False, 9, NOW - timedelta(days=3)),
    ]
    for phone, status, dialable, priority, due in rows:
        await Lead.create(
            list_id=owner.id, phone=phone, status=status, dialable=dialable, priority=priority, next_attempt_at=due
        )
    return owner.id


def test_callbacks_then_retries_then_new_and_only_what_is_due(client):
    key = run(client, _seed)

    async def read(limit: int) -> list[str]:
        return [row["phone"][-4:] for row in await next_dialable(key, NOW, limit)]

    assert run(client, lambda: read(10)) == ["0005", "0003", "0001", "0002"]
    assert run(client, lambda: read(2)) == ["0005", "0003"]


async def _plan() -> str:
    connection = connections.get("default")
    if KIND == "postgres":
        owners = [await LeadList.create(name=f"big {n}") for n in range(4)]
        owner = owners[0]
        # Enough rows, spread over states and lists, that a sequential scan would be the wrong plan.
        await connection.execute_script(f"""
            INSERT INTO leads (list_id, phone, status, dialable, priority, next_attempt_at, attempts,
                               attempts_by_disposition, created_at, updated_at)
            SELECT {owner.id} + (g % 4), '+1212' || lpad(g::text, 7, '0'),
                   (ARRAY['new','retry_due','callback','done'])[1 + g % 4], g % 4 <> 3, (ARRAY[2,1,0,9])[1 + g % 4],
                   now() - (g || ' seconds')::interval, 0, '{{}}', now(), now()
            FROM generate_series(1, 60000) AS g;
            ANALYZE leads;""")
        rows = await connection.execute_query_dict("EXPLAIN " + hopper_sql(True), [owner.id, NOW, 100])
        return "\n".join(row["QUERY PLAN"] for row in rows)
    rows = await connection.execute_query_dict("EXPLAIN QUERY PLAN " + hopper_sql(False), [1, NOW, 100] * 3 + [100])
    return "\n".join(row["detail"] for row in rows)


def test_the_plan_uses_the_hopper_index(client):
    plan = run(client, _plan)
    assert plan.count("idx_leads_hopper") >= 3, plan
    assert "Seq Scan on leads" not in plan and "SCAN leads" not in plan.replace("SCAN leads USING", ""), plan
