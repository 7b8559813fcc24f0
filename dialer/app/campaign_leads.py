"""Leads for one campaign's next calls: the hopper's read, then the rules of the moment.

The hopper (dialer.graphql.leads.hopper) gives the list's due leads in order: callbacks, retries,
new. Of those, a lead is dialled only if its number is not on the campaign's own DNC list (the
global list already made it not dialable) and the calling rules allow it now (its local hours,
attempts per 24 h in its state, and in the state of its number's area code where that state presumes
residence: dialer.engine.windows). Each lead is then claimed with a
conditional UPDATE to in_progress, so two loops can never dial the same lead; one given back (no
trunk, no node) returns to the state it had."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from dialer.engine.leads import PRIORITY, LeadState
from dialer.engine.windows import CallingRules, CampaignWindow, LeadWindowInput, WeeklyHours
from dialer.graphql.geography import area_code_state
from dialer.graphql.leads.hopper import next_dialable
from dialer.models import Campaign, DncNumber, Lead, LeadAttempt

# How far beyond the wanted count the hopper is read, so that leads outside their hours or on the
# campaign's DNC list do not starve a tick.
OVERSCAN = 4
MAX_READ = 2000
# dialer.engine.windows' reason codes, as the runtime view says them.
REASONS = {
    "outside_hours": "outside the leads' calling hours",
    "campaign_window": "outside the campaign's calling window",
    "holiday": "a no-call holiday where the leads are",
    "closed_day": "a no-call day where the leads are",
    "state_closed": "the leads' state forbids calls now",
    "state_attempt_limit": "the leads' state limits calls per 24 h",
}
DIALABLE = [LeadState.new.value, LeadState.retry_due.value, LeadState.callback.value]


class LeadSource:
    def __init__(self, campaign_id: int) -> None:
        self.campaign_id = campaign_id
        self.scope = f"cmp_{campaign_id}"
        self.list_key: int | None = None
        self.list_id = ""
        self.rules = CallingRules()
        self.capped_states = frozenset(state for state, rule in self.rules.legal.items() if rule.per_24h)

    async def configure(self, campaign: Campaign) -> None:
        window = (
            CampaignWindow(WeeklyHours.parse(campaign.calling_hours)) if campaign.calling_hours else CampaignWindow()
        )
        if window != self.rules.campaign:
            self.rules = replace(self.rules, campaign=window)
        self.list_id = campaign.list_id
        number = campaign.list_id.removeprefix("lst_")
        self.list_key = int(number) if number.isascii() and number.isdigit() and len(number) <= 18 else None

    async def take(self, wanted: int, now: datetime) -> tuple[list[dict[str, Any]], str | None]:
        """Up to `wanted` leads claimed for dialling, or none and why."""
        if self.list_key is None:
            return [], f"list {self.list_id!r} does not exist"
        rows = await next_dialable(self.list_key, now, min(MAX_READ, wanted * OVERSCAN))
        if not rows:
            return [], "no dialable leads in the list (all done, DNC, or waiting for their retry time)"
        blocked = set(
            await DncNumber.filter(scope=self.scope, phone__in=[row["phone"] for row in rows]).values_list(
                "phone", flat=True
            )
        )
        recent = await self._attempts_today(rows, now)
        verdicts = self.rules.check_many(
            (
                LeadWindowInput(
                    zone=row["timezone"],
                    state=row["state"],
                    area_code_state=area_code_state(row["phone"]),
                    recent_attempts=recent.get(row["id"], ()),
                )
                for row in rows
            ),
            now,
        )
        refused: Counter[str] = Counter()
        claimed: list[dict[str, Any]] = []
        for row, verdict in zip(rows, verdicts, strict=True):
            if len(claimed) >= wanted:
                break
            if row["phone"] in blocked:
                refused["on the campaign's DNC list"] += 1
                continue
            if not verdict.allowed:
                refused[verdict.reason or "not allowed now"] += 1
                continue
            if await self._claim(row, now):
                claimed.append(row)
        if claimed:
            return claimed, None
        why = refused.most_common(1)[0][0] if refused else "taken by another loop"
        return [], f"no lead may be dialled now: {REASONS.get(why, why)}"

    async def _attempts_today(self, rows: list[dict[str, Any]], now: datetime) -> dict[int, tuple[datetime, ...]]:
        """Attempts of the last 24 h, for the states that cap them (the others do not need the read)."""
        capped = [
            row["id"]
            for row in rows
            if row["state"] in self.capped_states or area_code_state(row["phone"]) in self.capped_states
        ]
        if not capped:
            return {}
        found: dict[int, list[datetime]] = {}
        for lead_id, at in await LeadAttempt.filter(lead_id__in=capped, at__gte=now - timedelta(days=1)).values_list(
            "lead_id", "at"
        ):
            found.setdefault(lead_id, []).append(at)
        return {key: tuple(times) for key, times in found.items()}

    async def _claim(self, row: dict[str, Any], now: datetime) -> bool:
        moved = await Lead.filter(id=row["id"], dialable=True, status__in=DIALABLE).update(
            status=LeadState.in_progress.value, dialable=False, updated_at=now
        )
        return bool(moved)

    async def give_back(self, rows: list[dict[str, Any]]) -> None:
        """Leads claimed and not dialled return to where they were in the hopper."""
        states = {priority: state for state, priority in PRIORITY.items()}
        for row in rows:
            await Lead.filter(id=row["id"], status=LeadState.in_progress.value).update(
                status=states[row["priority"]].value, dialable=True
            )
