"""The dialing loop of one running campaign: about once a second it looks at the campaign's agents
and calls, asks the pacer how many calls to launch, takes that many leads from the hopper (calling
hours, DNC, attempts), picks a trunk for each and originates. Exactly one replica runs a campaign's
loop: the one holding its lease (dialer.models.leases).

Pause stops new calls and lets calls in flight finish; so does stop, which also ends the campaign.
When the loop launches nothing while running, `figures().reason` says why.

What the predictive pacer learned (theta) is kept in campaign_pacing every minute and when the loop
ends, so a restart or another replica taking the campaign over starts from it; at each UTC midnight
the pacer starts a new day of its abandon budget with the law's window before it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError

from dialer.app.campaign_calls import CallRules, CampaignCalls, LiveCall
from dialer.app.campaign_leads import LeadSource
from dialer.app.leases import Lease
from dialer.app.trunk_share import TrunkShare
from dialer.engine.kpi import KpiBoard
from dialer.engine.pacing import DialOutcome, Mode, PacingPolicy, PacingSettings, Snapshot
from dialer.engine.pacing_ledger import WINDOW_DAYS
from dialer.engine.trunks import Choice, TrunkSpec, choose, credits_of, specs, trunk_failure, with_credits
from dialer.freeswitch import events as ev
from dialer.freeswitch.calls import Originate
from dialer.freeswitch.causes import HangupCause
from dialer.freeswitch.cluster import Cluster
from dialer.graphql.cdr.service import abandon_counts
from dialer.graphql.context import RuntimeFigures
from dialer.models import Campaign, CampaignPacing, Provider, Tier

log = logging.getLogger(__name__)
TRUNK_REASONS = {
    "max_channels": "the campaign is at maxChannels",
    "no_trunks": "the campaign's trunk policy names no trunk",
    "disabled": "its trunks are disabled",
    "at_cap": "its trunks are at their caps",
    "cps": "its trunks are at their calls per second",
    "backed_off": "its trunks are backed off after failures",
    "mixed": "its trunks are at caps, CPS limits or backed off",
}
TICK = 1.0
RELOAD_EVERY = 5.0
RING_TIMEOUT = 25  # at least 15 s (4 rings) before giving up, as the TSR asks
KEEP_THETA_EVERY = 60.0
RETRY_AFTER = 5.0  # after a failed step (a database error, say): the loop goes on, it does not end


class CampaignLoop:
    def __init__(
        self, campaign_id: int, cluster: Cluster, agent_status: Any, lease: Lease, trunk_share: TrunkShare | None = None
    ) -> None:
        self.campaign_id = campaign_id
        self.public_id = f"cmp_{campaign_id}"
        self.cluster, self.agent_status, self.lease = cluster, agent_status, lease
        self.wake = asyncio.Event()
        self.policy: PacingPolicy | None = None
        self.calls: CampaignCalls | None = None
        self.leads: LeadSource | None = None
        # CPS buckets and breakers are the replica's (shared with its other campaigns), the
        # round-robin credit over this campaign's weights is its own.
        self.trunk_share = trunk_share if trunk_share is not None else TrunkShare()
        self.credits: dict[str, float] = {}
        self.trunks: list[TrunkSpec] = []
        self.unknown_trunks: list[str] = []
        self.campaign: Campaign | None = None
        self.agents: list[str] = []
        self.reason: str | None = "starting"
        self.patience_s = 2.0
        # How long each busy agent has been on its call (talk and wrap-up), from the switchboard.
        self.busy_for: Callable[[str], float | None] = lambda name: None
        self.safe_harbor = ""
        self.running = True
        self._loaded_at = -1e9
        self._kept_at = time.monotonic()
        self.day: date | None = None
        # The live view's windows (dialer.engine.kpi): runtime reads the campaign's scope from them.
        self.kpi: KpiBoard | None = None

    def refresh(self) -> None:
        """The campaign changed (started, paused, stopped): read it again now, not at the next reload."""
        self._loaded_at = -1e9
        self.wake.set()

    # -- the loop ------------------------------------------------------------------------------

    async def run(self) -> None:
        events = self.cluster.events()
        consumer = asyncio.get_running_loop().create_task(self._consume(events))
        failures = 0
        try:
            while True:
                try:
                    if await self._step():
                        return
                    failures = 0
                except Exception as failed:  # the database or a node gone for a moment: dialing goes on after
                    failures += 1
                    if failures == 1 or failures % 60 == 0:
                        log.exception("%s: a dialing step failed (%d in a row); trying again", self.public_id, failures)
                    self.reason = f"the dialing step failed ({type(failed).__name__}); trying again"
                    await self._sleep(RETRY_AFTER)
        finally:
            consumer.cancel()
            events.close()
            with contextlib.suppress(Exception):  # a closing database must not hide why the loop ended
                await self._keep_theta(now=True)
            await self.lease.release(self.campaign_id)

    async def _step(self) -> bool:
        """One pass of the loop; True once it is over (not running, no call left in flight)."""
        if not await self.lease.hold(self.campaign_id):
            self.reason = "another replica dials this campaign"
            await self._sleep(self.lease.ttl / 3)
            return False
        await self._reload()
        if self.campaign is None or self.campaign.status != "running":
            if self.calls is None or not self.calls.in_flight:
                return True
            self.reason = f"{self.campaign.status if self.campaign else 'gone'}: calls in flight finishing"
        else:
            await self._new_day()
            await self._tick()
        await self._keep_theta()
        await self._sleep(TICK)
        return False

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.wake.wait(), seconds)
        self.wake.clear()

    async def _consume(self, events: ev.Subscription) -> None:
        async for event in events:
            if self.calls is not None:
                try:
                    self.calls.on_event(event)
                except Exception:
                    log.exception("%s: event %s", self.public_id, event.name)

    async def _reload(self) -> None:
        now = time.monotonic()
        if now - self._loaded_at < RELOAD_EVERY and self.campaign is not None:
            return
        self._loaded_at = now
        self.campaign = await Campaign.get_or_none(id=self.campaign_id)
        if self.campaign is None:
            return
        row = self.campaign
        settings = PacingSettings(
            mode=Mode(row.type),
            ratio=row.pacing,
            abandon_cap=row.abandon_cap,
            max_channels=row.max_channels,
            aht_s=float(row.predictive.get("ahtSec", 240)),
            patience_s=self.patience_s,
        )
        if self.policy is None or self.policy.settings != settings:
            old = self.policy
            self.day = datetime.now(UTC).date()
            kept = None if old is not None else await CampaignPacing.get_or_none(campaign_id=self.campaign_id)
            self.policy = PacingPolicy(
                settings, history=await self._history(), theta0=kept.theta if kept is not None else None
            )
            if old is not None:  # keep what was learned about this campaign's calls
                self.policy.model, self.policy.trim = old.model, old.trim
        rules = CallRules(
            queue=row.queue,
            amd=row.amd.get("engine", "hybrid"),
            window_s=row.amd.get("windowMs", 900) / 1000,
            min_confidence=float(row.amd.get("minConfidence", 0.7)),
            detect_fax=bool(row.amd.get("detectFax", True)),
            detect_sit=bool(row.amd.get("detectSIT", True)),
            patience_s=self.patience_s,
            safe_harbor=self.safe_harbor or CallRules.safe_harbor,
            audit_share=float(row.amd.get("auditShare", 0.0)),
        )
        if self.calls is None:
            self.calls = CampaignCalls(rules, self._api, self._observe, self._ended)
        self.calls.rules = rules
        self.agents = [tier.agent.name for tier in await Tier.filter(queue__name=row.queue).prefetch_related("agent")]
        providers = {p.name: (float(p.max_cps), p.enabled) for p in await Provider.all()}
        self.trunks = specs(row.trunk_policy, providers)
        self.unknown_trunks = sorted(set(row.trunk_policy.get("weights", {})) - set(providers))
        if self.leads is None:
            self.leads = LeadSource(self.campaign_id)
        await self.leads.configure(row)

    async def _history(self) -> tuple[int, int]:
        """The law's window before today: the pacer pays back a deficit, does not spend a surplus."""
        today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        return await abandon_counts(self.public_id, today - timedelta(days=WINDOW_DAYS - 1), today)

    async def _new_day(self) -> None:
        today = datetime.now(UTC).date()
        if self.policy is not None and self.day is not None and today != self.day:
            self.day = today
            self.policy.new_day(await self._history())
            await self._keep_theta(now=True)

    async def _keep_theta(self, now: bool = False) -> None:
        if self.policy is None or self.policy.settings.mode is not Mode.predictive:
            return
        if not now and time.monotonic() - self._kept_at < KEEP_THETA_EVERY:
            return
        self._kept_at = time.monotonic()
        # No transaction (update_or_create takes one): this also runs while the loop is cancelled,
        # where a transaction cut short would keep SQLite's transaction lock from everyone else.
        kept = {"theta": self.policy.learned_theta, "updated_at": datetime.now(UTC)}
        if not await CampaignPacing.filter(campaign_id=self.campaign_id).update(**kept):
            with contextlib.suppress(IntegrityError):  # another replica's loop wrote it first
                await CampaignPacing.create(campaign_id=self.campaign_id, **kept)

    async def _tick(self) -> None:
        assert self.policy is not None and self.calls is not None and self.leads is not None
        now = time.monotonic()
        statuses = {name: self.agent_status(name) for name in self.agents}
        idle = sum(1 for s in statuses.values() if s == "Available")
        busy_since = tuple(
            now - (self.busy_for(name) or 0.0) for name, s in statuses.items() if s in ("On Call", "Wrapup")
        )
        busy = len(busy_since)
        snapshot = Snapshot(
            now=now,
            idle=idle,
            busy_since=busy_since,
            dialled_at=self.calls.dialled_at(),
            waiting_since=self.calls.waiting_since(),
        )
        if not self.cluster.up:
            self.reason = "no FreeSWITCH node is up"
            return
        wanted = self.policy.decide(snapshot)
        if wanted <= 0:
            self.reason = None if self.calls.in_flight else self._why_not(idle, busy)
            return
        # How many calls the trunks can carry, without taking their CPS tokens yet: tokens taken for
        # calls that find no lead would be lost to the other campaigns too.
        await self.trunk_share.peek(self.trunks, now)
        room = self._choose_trunks(wanted, now)
        if not room.picks:
            why = TRUNK_REASONS.get(room.reason or "", room.reason)
            if self.unknown_trunks:
                why += f" (no provider is named {', '.join(self.unknown_trunks)})"
            self.reason = f"no trunk can take a call: {why}"
            return
        leads, why = await self.leads.take(len(room.picks), datetime.now(UTC))
        self.reason = why
        if not leads:
            return
        # Another campaign may have drawn on the shared buckets while the leads were read.
        now = time.monotonic()
        choice = self._choose_trunks(len(leads), now)
        self.trunk_share.book, self.credits = choice.book, credits_of(choice.book)
        try:
            picks = await self.trunk_share.take(choice.picks, self.trunks, now)
        except Exception:
            with contextlib.suppress(Exception):  # else the stuck-lead sweep gives them back
                await self.leads.give_back(leads)
            raise
        await self.leads.give_back(leads[len(picks) :])
        for lead, trunk in zip(leads, picks, strict=False):
            await self._dial(lead, trunk)

    def _choose_trunks(self, calls: int, now: float) -> Choice:
        assert self.policy is not None
        book = with_credits(self.trunk_share.book, self.credits)
        return choose(book, self.trunks, self._per_trunk(), calls, now, self.policy.settings.max_channels)

    def _why_not(self, idle: int, busy: int) -> str | None:
        if not self.agents:
            return f"no agent is in queue {self.campaign.queue if self.campaign else '?'}"
        if idle == 0:
            return "every agent is busy" if busy else "no agent is available (logged out or on break)"
        return None  # enough calls in flight for the agents free

    def _per_trunk(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for call in self.calls.calls.values() if self.calls else ():
            counts[call.trunk] = counts.get(call.trunk, 0) + 1
        return counts

    async def _dial(self, lead: dict[str, Any], trunk: str) -> None:
        assert self.calls is not None and self.leads is not None and self.campaign is not None
        request = Originate(
            destination=lead["phone"].lstrip("+"),
            trunk_id=trunk,
            campaign_id=self.public_id,
            list_id=self.campaign.list_id,
            lead_id=f"lead_{lead['id']}",
            timeout=RING_TIMEOUT,
        )
        now = time.monotonic()
        self.calls.add(LiveCall(request.uuid, lead["id"], trunk, now))
        try:
            call = await self.cluster.originate(request)
        except Exception as failed:  # NoNodeAvailable, a node lost mid-command...
            log.warning("%s: originate failed: %s", self.public_id, failed)
            self.calls.failed_to_dial(request.uuid)
            await self.leads.give_back([lead])
            return
        call.result.add_done_callback(lambda done: self._job_done(request.uuid, done))

    def _job_done(self, uuid: str, done: asyncio.Future[Any]) -> None:
        if self.calls is not None and (done.cancelled() or not done.result().ok):
            # No channel may exist (bad gateway): no hangup event will settle it.
            loop = asyncio.get_running_loop()
            loop.call_later(1.0, self.calls.failed_to_dial, uuid)

    async def _api(self, uuid: str, command: str) -> object:
        node = self.cluster.node_of(uuid)
        if node is None:
            return "-ERR No such channel!"
        return await node.api(command)

    # -- figures ---------------------------------------------------------------------------------

    def _ended(self, call: LiveCall, cause: HangupCause | None) -> None:
        failed = trunk_failure(cause.sip_status, cause.name) if cause is not None else True
        self.trunk_share.record(call.trunk, failed, time.monotonic(), call.dialled_at)

    def _observe(self, outcome: DialOutcome) -> None:
        if self.policy is not None:
            self.policy.observe(outcome)

    def figures(self) -> RuntimeFigures:
        """The live view's windows (dialer.app.dialing.Dialer.figures), but cc is this loop's calls in
        flight (what it paces; the board counts every call of the campaign that a node reports)."""
        cc = self.calls.in_flight if self.calls else 0
        return RuntimeFigures(cc=cc, reason=self.reason)
