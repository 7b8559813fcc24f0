"""The campaign loop's own upkeep: what the pacer learned outlives the loop, a new day restarts the
abandon budget, and replicas share each trunk's calls per second and backoff through the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dialer.app.campaign_loop import CampaignLoop
from dialer.app.leases import Lease
from dialer.app.trunk_share import TrunkShare
from dialer.engine.trunks import TrunkSpec, backed_off_until, choose
from dialer.models import CampaignPacing
from tests.conftest import ADMIN, CONTRACT_CAMPAIGN, run


def setup(client, count: int = 1) -> None:
    for _ in range(count):
        assert client.post("/api/v1/campaigns", json=CONTRACT_CAMPAIGN, headers=ADMIN).status_code == 201
    for name, cps in (("gw_main", 30), ("gw_backup", 10)):
        body = {"name": name, "host": "sip.example.com", "codecs": ["PCMU"], "route": "CLI", "maxCps": cps}
        assert client.post("/api/v1/providers", json=body, headers=ADMIN).status_code == 201, name


def loop_of(campaign_id: int, share: TrunkShare | None = None) -> CampaignLoop:
    return CampaignLoop(campaign_id, None, lambda name: None, Lease(), share)  # type: ignore[arg-type]


def test_the_pacers_theta_outlives_the_loop_and_a_new_day_starts_the_budget_again(client):
    setup(client)

    async def scenario() -> tuple[float, float, float]:
        await CampaignPacing.create(campaign_id=1, theta=0.031, updated_at=datetime.now(UTC))
        loop = loop_of(1)
        await loop._reload()
        assert loop.policy is not None
        restored = loop.policy.learned_theta
        loop.policy.trim.z += 0.5  # as if the trim had learned something since
        loop.day = loop.day - timedelta(days=1)  # type: ignore[operator]
        await loop._new_day()
        kept = (await CampaignPacing.get(campaign_id=1)).theta
        return restored, kept, loop.policy.learned_theta

    restored, kept, learned = run(client, scenario)
    assert abs(restored - 0.031) < 1e-9
    assert kept == learned and kept > restored


def test_a_loop_plans_with_each_providers_full_calls_per_second(client):
    setup(client, count=2)
    for cid in ("cmp_1", "cmp_2"):
        assert client.post(f"/api/v1/campaigns/{cid}/start", headers=ADMIN).status_code == 202

    async def cps_of(campaign_id: int) -> dict[str, float]:
        loop = loop_of(campaign_id)
        await loop._reload()
        return {spec.name: spec.max_cps for spec in loop.trunks}

    # No part per replica or per campaign: the bucket they all draw on is in the database.
    assert run(client, lambda: cps_of(1)) == run(client, lambda: cps_of(2)) == {"gw_main": 30.0, "gw_backup": 10.0}


class Wall:
    """A replica's wall clock, moved by hand; `skew` seconds off the true time."""

    def __init__(self, true: list[float], skew: float = 0.0) -> None:
        self.true, self.skew = true, skew

    def __call__(self) -> float:
        return self.true[0] + self.skew


GW = [TrunkSpec("gw_main", 1.0, 10.0)]


async def draw(share: TrunkShare, calls: int, now: float) -> int:
    """One tick of a loop that wants `calls` calls on gw_main: how many it may place."""
    await share.peek(GW, now)
    picks = choose(share.book, GW, {}, calls, now).picks
    return len(await share.take(picks, GW, now))


@pytest.mark.parametrize("skew", [0.0, -3.0, 2.5])
def test_replicas_draw_on_one_bucket_per_trunk_whatever_their_clocks(client, skew):
    setup(client)
    true = [1_000_000.0]

    async def scenario() -> tuple[int, int, int]:
        a, b = TrunkShare(Wall(true)), TrunkShare(Wall(true, skew))
        both = 0
        for second in range(20):  # both replicas want 8 calls a second, of a provider's 10
            true[0] += 1.0
            both += await draw(a, 8, float(second)) + await draw(b, 8, float(second) + 0.5)
        alone = 0
        for second in range(20, 30):  # b's campaigns have nothing to call: a gets the whole rate
            true[0] += 1.0
            alone += await draw(a, 15, float(second))
        return both, alone, await draw(b, 15, 30.0)

    both, alone, after = run(client, scenario)
    # Never more than 20 s at 10 calls a second plus the full bucket (1 s) at the start, whatever
    # the clocks say. A clock ahead refills its lead early, once, and the others go without it.
    lost = 10 * abs(skew)
    assert 200 - lost <= both <= 210
    assert 100 - lost - 5 <= alone <= 100
    # a just emptied the bucket: b finds what its lead (if any) refills, and never more than once
    assert after == min(10, 10 * max(skew, 0.0))


def test_a_backoff_one_replica_starts_is_followed_by_the_others(client):
    setup(client)
    true = [2_000_000.0]

    async def scenario() -> tuple[str | None, float | None, str | None]:
        a, b = TrunkShare(Wall(true)), TrunkShare(Wall(true, skew=-0.4))
        await draw(a, 5, 0.0)
        await draw(b, 5, 100.0)  # b's monotonic clock started elsewhere
        for _ in range(5):  # five 503s in a row on a
            a.record("gw_main", True, 1.0, started_at=0.0)
        true[0] += 1.0
        await a.peek(GW, 1.5)  # a tells the others
        await b.peek(GW, 101.0)
        until = backed_off_until(b.book, "gw_main")
        refused = choose(b.book, GW, {}, 1, 101.0).reason
        true[0] += 20.0
        await b.peek(GW, 121.0)
        return refused, until, choose(b.book, GW, {}, 1, 121.0).reason

    refused, until, later = run(client, scenario)
    assert refused == "backed_off"
    assert until is not None and 109.0 <= until <= 110.5  # a's 10 s from its t=1, on b's clock
    assert later is None  # over: b probes the trunk again
