"""Two replicas dial through one trunk: the app's runner (replica A) dials one campaign, a second
`Dialer` (replica B: its own lease and trunk share, on the same database and FreeSWITCH node) the
other. Together they stay under the provider's maxCps, and once A's campaign has nothing left to
call, B's gets the whole rate (a split by running campaigns would have kept it at half)."""

from __future__ import annotations

from datetime import datetime

import pytest

from dialer.app.dialing import Dialer
from dialer.models import Cdr
from tests.conftest import ADMIN, run
from tests.leads_helpers import import_csv, new_list
from tests.test_dialing import agents_available, campaign, center, leads, open_zone, until  # noqa: F401 (a fixture)

MAX_CPS = 2


def list_of(client, count: int, first: int) -> str:
    list_id = new_list(client, f"replicas {first}")
    zone = open_zone()
    csv = "phone,timezone\n" + "".join(f"+1212555{first + i:04d},{zone}\n" for i in range(count))
    assert import_csv(client, list_id, csv.encode())["accepted"] == count
    return list_id


def starts(rows: list[tuple[str, datetime]], campaign_id: str | None = None) -> list[float]:
    return sorted(at.timestamp() for cmp, at in rows if campaign_id in (None, cmp))


def most_in(times: list[float], seconds: float) -> int:
    """The most calls that started within any `seconds`."""
    return max(sum(1 for u in times if t <= u < t + seconds) for t in times)


@pytest.mark.usefixtures("center")
def test_two_replicas_share_a_trunks_calls_per_second(client):
    assert client.patch("/api/v1/providers/busy", json={"maxCps": MAX_CPS}, headers=ADMIN).status_code == 200
    agents_available(client, "2001", "2002")
    few_list, many_list = list_of(client, 4, 1000), list_of(client, 24, 2000)
    few, many = campaign(client, few_list, "busy"), campaign(client, many_list, "busy")
    services = client.app.state.services
    a, b = services.runner, Dialer()

    async def b_takes_many() -> None:
        assert await a.lease.hold(int(few.removeprefix("cmp_")))
        assert await b.lease.hold(int(many.removeprefix("cmp_")))
        await b.open(services.freeswitch, a.agent_status, a.busy_for, a.kpi)

    run(client, b_takes_many)
    try:
        for cmp in (few, many):
            assert client.post(f"/api/v1/campaigns/{cmp}/start", headers=ADMIN).status_code == 202
        run(client, lambda: b.started(int(many.removeprefix("cmp_"))))

        def dialled(list_id: str) -> bool:
            return all(lead["status"] == "retry_due" for lead in leads(client, list_id))

        assert until(lambda: dialled(few_list) and dialled(many_list), 40)
        assert b.loops[int(many.removeprefix("cmp_"))].calls is not None  # B dialled it...
        assert int(many.removeprefix("cmp_")) not in [c for c, loop in a.loops.items() if loop.calls]  # ...not A
    finally:
        for cmp in (few, many):
            client.post(f"/api/v1/campaigns/{cmp}/stop", headers=ADMIN)
        run(client, b.close)

    rows = until(lambda: (r := run(client, cdrs)) and len(r) >= 28 and r, 10)
    every = starts(rows)
    # Never more than maxCps a second between them, plus one second's burst.
    assert most_in(every, 4.0) <= 4 * MAX_CPS + MAX_CPS, every
    # Once A's campaign is done, B's takes the whole rate: its last 12 calls within about 6 s.
    tail = starts(rows, many)[-12:]
    assert len(tail) == 12 and tail[-1] - tail[0] <= 12 / MAX_CPS + 1.0, tail


async def cdrs() -> list[tuple[str, datetime]]:
    return await Cdr.filter(trunk_id="busy", start_at__not_isnull=True).values_list("campaign_id", "start_at")
