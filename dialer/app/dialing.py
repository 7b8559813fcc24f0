"""The campaign runner: one dialing loop per running campaign (dialer.app.campaign_loop).

The API tells it when a campaign starts, pauses or stops; at start-up it takes up every campaign
whose status is running, so a restarted or added replica resumes dialing (the lease decides which
replica actually dials). Figures come from the loop where this replica runs it; a replica that
does not dial a campaign says so. It also sweeps leads left in_progress (dialer.app.stuck_leads)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from datetime import timedelta

from dialer.app import stuck_leads
from dialer.app.campaign_loop import CampaignLoop
from dialer.app.leases import Lease
from dialer.app.trunk_share import TrunkShare
from dialer.engine.kpi import KpiBoard
from dialer.freeswitch.cluster import Cluster
from dialer.graphql.context import RuntimeFigures
from dialer.models import Campaign

log = logging.getLogger(__name__)
SWEEP_EVERY = 60.0
LOST_AFTER = timedelta(hours=6)


class Dialer:
    def __init__(self, patience_s: float = 2.0, safe_harbor: str = "", undisposed_after: float = 1800.0) -> None:
        self.patience_s, self.safe_harbor = patience_s, safe_harbor
        self.undisposed_after = timedelta(seconds=undisposed_after)
        self.sweeper: asyncio.Task[None] | None = None
        self.cluster: Cluster | None = None
        self.agent_status: Callable[[str], str | None] = lambda name: None
        self.busy_for: Callable[[str], float | None] = lambda name: None
        self.kpi: KpiBoard | None = None
        self.lease = Lease()
        self.trunk_share = TrunkShare()  # the trunks' CPS buckets and breakers, mirrored from the database
        self.loops: dict[int, CampaignLoop] = {}
        self.tasks: dict[int, asyncio.Task[None]] = {}

    async def open(
        self,
        cluster: Cluster,
        agent_status: Callable[[str], str | None],
        busy_for: Callable[[str], float | None] | None = None,
        kpi: KpiBoard | None = None,
    ) -> None:
        self.kpi = kpi
        self.cluster, self.agent_status = cluster, agent_status
        if busy_for is not None:
            self.busy_for = busy_for
        for campaign_id in await Campaign.filter(status="running").values_list("id", flat=True):
            self._ensure(campaign_id)
        self.sweeper = asyncio.get_running_loop().create_task(self._sweep())

    async def _sweep(self) -> None:
        while True:
            await asyncio.sleep(SWEEP_EVERY)
            try:
                closed, given_back = await stuck_leads.sweep(self.undisposed_after, LOST_AFTER)
            except Exception:
                log.exception("sweeping leads left in_progress failed")
                continue
            if closed or given_back:
                log.info("leads left in_progress: %d closed as HUMAN, %d due again", closed, given_back)

    async def close(self) -> None:
        if self.sweeper is not None:
            self.sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.sweeper
            self.sweeper = None
        for task in self.tasks.values():
            task.cancel()
        await asyncio.gather(*self.tasks.values(), return_exceptions=True)
        for campaign_id in list(self.loops):
            await self.lease.release(campaign_id)
        self.tasks.clear()
        self.loops.clear()

    def _ensure(self, campaign_id: int) -> None:
        if self.cluster is None:
            return
        task = self.tasks.get(campaign_id)
        if task is not None and not task.done():
            self.loops[campaign_id].refresh()
            return
        loop = CampaignLoop(campaign_id, self.cluster, self.agent_status, self.lease, self.trunk_share)
        loop.patience_s, loop.safe_harbor = self.patience_s, self.safe_harbor
        loop.busy_for, loop.kpi = self.busy_for, self.kpi
        self.loops[campaign_id] = loop
        self.tasks[campaign_id] = task = asyncio.get_running_loop().create_task(self._run(loop))

    async def _run(self, loop: CampaignLoop) -> None:
        try:
            await loop.run()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("dialing loop of cmp_%s failed", loop.campaign_id)
            loop.reason = "the dialing loop failed; see the server log"

    def handled(self, queue: str, seconds: float) -> None:
        """An agent of `queue` finished a call: the pacers of the campaigns on that queue learn from it."""
        for loop in self.loops.values():
            if loop.campaign is not None and loop.campaign.queue == queue and loop.policy is not None:
                loop.policy.observe_handle(seconds)

    # -- graphql.context.CampaignRunner ----------------------------------------------------------

    async def started(self, campaign_id: int) -> None:
        self._ensure(campaign_id)

    async def paused(self, campaign_id: int) -> None:
        if campaign_id in self.loops:
            self.loops[campaign_id].refresh()

    async def stopped(self, campaign_id: int) -> None:
        await self.paused(campaign_id)

    def figures(self, campaign_id: int) -> RuntimeFigures:
        """asr5m, acd, cps, cc and abandon60s from the live view's windows, which every replica keeps
        alike from the events it hears; the reason (and cc, what it paces) from the loop dialling it."""
        loop = self.loops.get(campaign_id)
        ours = loop.figures() if loop is not None else None
        if self.kpi is None:
            return ours or RuntimeFigures(reason="not dialing on this replica")
        live = self.kpi.snapshot("campaign", f"cmp_{campaign_id}", time.monotonic())
        return RuntimeFigures(
            asr5m=round(live.asr5m, 4),
            acd=round(live.acd, 1),
            cps=live.cps,
            cc=ours.cc if ours is not None else live.cc,
            abandon60s=live.abandon60s,
            reason=ours.reason if ours is not None else "dialled by another replica",
        )
