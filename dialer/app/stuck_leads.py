"""Leads left in_progress: a bridged call whose agent never recorded a disposition, or a call whose
CDR never came. Every replica sweeps now and then; each change is one conditional UPDATE, so two
sweepers (or a late disposition) cannot both move a lead.

* Bridged, no disposition: the CDR recorded a HUMAN attempt and the agent said nothing for
  `undisposed_after` (30 min by default) since the call ended. The lead is closed as done with
  disposition HUMAN: a person was reached and talked to an agent, so redialling would be a second
  call on the same subject; a supervisor who disagrees can still record a disposition.
* No CDR at all: nothing about the lead since it was claimed for `lost_after` (6 h by default,
  longer than any call). The lead goes back to retry_due, due now, its attempt not counted: what
  happened is unknown, and losing the lead would be worse than a repeated attempt."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from dialer.engine.leads import PRIORITY, Disposition, LeadState
from dialer.models import Lead, LeadAttempt

log = logging.getLogger(__name__)
BATCH = 500
STAMP_SLACK = timedelta(seconds=2)


async def sweep(undisposed_after: timedelta, lost_after: timedelta, now: datetime | None = None) -> tuple[int, int]:
    """(leads closed as HUMAN, leads given back): one pass over the oldest stuck leads."""
    now = now or datetime.now(UTC)
    stuck = (
        await Lead.filter(status=LeadState.in_progress.value, updated_at__lt=now - undisposed_after)
        .order_by("updated_at")
        .limit(BATCH)
        .values("id", "updated_at", "attempts", "attempts_by_disposition")
    )
    # Each stuck lead's newest attempt since its claim, in one read (a CDR's times are whole seconds:
    # its call may seem to end a moment before the claim).
    claimed = {lead["id"]: lead["updated_at"] - STAMP_SLACK for lead in stuck}
    latest: dict[int, dict] = {}
    if claimed:
        for attempt in (
            await LeadAttempt.filter(lead_id__in=list(claimed), at__gte=min(claimed.values()))
            .order_by("at")
            .values("lead_id", "disposition", "source", "at")
        ):
            if attempt["at"] >= claimed[attempt["lead_id"]]:
                latest[attempt["lead_id"]] = attempt
    closed = given_back = 0
    for lead in stuck:
        last = latest.get(lead["id"])
        if last is not None and last["source"] == "cdr" and last["disposition"] == Disposition.HUMAN.value:
            if last["at"] >= now - undisposed_after:
                continue  # the agent may still be in wrap-up
            counts = dict(lead["attempts_by_disposition"])
            counts[Disposition.HUMAN.value] = counts.get(Disposition.HUMAN.value, 0) + 1
            closed += await Lead.filter(id=lead["id"], status=LeadState.in_progress.value).update(
                status=LeadState.done.value,
                dialable=False,
                attempts=lead["attempts"] + 1,
                attempts_by_disposition=counts,
                last_disposition=Disposition.HUMAN.value,
                updated_at=now,
            )
        elif last is None and lead["updated_at"] < now - lost_after:
            moved = await Lead.filter(id=lead["id"], status=LeadState.in_progress.value).update(
                status=LeadState.retry_due.value,
                dialable=True,
                priority=PRIORITY[LeadState.retry_due],
                next_attempt_at=now,
                updated_at=now,
            )
            if moved:
                log.warning("lead_%s: no CDR came for its call in %s; due for a retry", lead["id"], lost_after)
            given_back += moved
    return closed, given_back
