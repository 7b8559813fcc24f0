"""The campaign loop's own upkeep: what the pacer learned outlives the loop, a new day restarts the
abandon budget, and trunks shared by several running campaigns split their calls per second."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dialer.app.campaign_loop import CampaignLoop
from dialer.app.leases import Lease
from dialer.app.trunk_share import TrunkShare
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


def test_running_campaigns_on_one_trunk_share_its_calls_per_second(client):
    setup(client, count=3)
    for cid in ("cmp_1", "cmp_2"):
        assert client.post(f"/api/v1/campaigns/{cid}/start", headers=ADMIN).status_code == 202

    async def cps_of(campaign_id: int) -> dict[str, float]:
        loop = loop_of(campaign_id)
        await loop._reload()
        return {spec.name: spec.max_cps for spec in loop.trunks}

    # The contract's campaign dials gw_main and gw_backup. Two running campaigns dialed from two
    # replicas: each replica's bucket fills at half the provider's maxCps.
    assert run(client, lambda: cps_of(1)) == {"gw_main": 15.0, "gw_backup": 5.0}
    client.post("/api/v1/campaigns/cmp_2/pause", headers=ADMIN)
    assert run(client, lambda: cps_of(1)) == {"gw_main": 30.0, "gw_backup": 10.0}


def test_campaigns_dialed_from_one_replica_share_one_bucket_at_the_providers_full_rate(client):
    setup(client, count=3)
    for cid in ("cmp_1", "cmp_2", "cmp_3"):
        assert client.post(f"/api/v1/campaigns/{cid}/start", headers=ADMIN).status_code == 202

    async def scenario() -> tuple[dict[str, float], dict[str, float], TrunkShare]:
        share = TrunkShare()
        first, second = loop_of(1, share), loop_of(2, share)
        for loop in (first, second, first):  # each reload counts who dials here now
            loop.refresh()
            await loop._reload()
        return {s.name: s.max_cps for s in first.trunks}, {s.name: s.max_cps for s in second.trunks}, share

    first, second, share = run(client, scenario)
    # Two of the three running campaigns dial here: two thirds of maxCps, in one bucket the two share.
    assert first == second == {"gw_main": 20.0, "gw_backup": 20.0 / 3}
    share.gone(2)  # the second one's lease went to another replica
    assert share.max_cps("gw_main", 30.0, running=3) == 10.0
