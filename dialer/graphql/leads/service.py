"""Lists, leads, retry rules and dispositions as plain async functions under the resolvers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from strawberry import UNSET
from tortoise.expressions import Q
from tortoise.functions import Count

from dialer.engine.leads import (
    Disposition,
    InvalidTransition,
    LeadState,
    MissingSchedule,
    RetryRule,
    after_disposition,
)
from dialer.graphql.context import AuditScope, Context
from dialer.graphql.dnc import service as dnc
from dialer.graphql.errors import BadRequest, Conflict, NotFound
from dialer.graphql.ids import fetch, parse_id
from dialer.graphql.leads.types import DispositionInput, LeadCounts, RetryRuleSetInput
from dialer.graphql.pagination import Connection, paginate
from dialer.models import Campaign, Lead, LeadAttempt, LeadList

_RULE_KEYS = {"cooldown_min": "cooldownMin", "max_attempts": "maxAttempts", "scheduled_at": "scheduledAt"}


async def get_list(public_id: str) -> LeadList:
    return await fetch(LeadList, "lst", public_id, "list")


async def create_list(name: str, context: Context, audit: AuditScope) -> LeadList:
    row = await LeadList.create(name=name.strip())
    audit.target("list", row.public_id, name=row.name)
    return row


async def search_lists(first: int | None, after: str | None, convert: Any) -> Connection:
    return await paginate(LeadList.all(), first, after, convert)


async def counts(list_key: int) -> LeadCounts:
    by_state = {
        row["status"]: row["n"]
        for row in await Lead.filter(list_id=list_key).annotate(n=Count("id")).group_by("status").values("status", "n")
    }
    return LeadCounts(
        total=sum(by_state.values()),
        new=by_state.get("new", 0),
        in_progress=by_state.get("in_progress", 0),
        retry_due=by_state.get("retry_due", 0),
        callback=by_state.get("callback", 0),
        done=by_state.get("done", 0),
        dnc=by_state.get("dnc", 0),
    )


def rules_of(row: LeadList) -> dict[Disposition, RetryRule]:
    rules = {}
    for name, rule in (row.retry_rules or {}).items():
        scheduled = rule.get("scheduledAt")
        rules[Disposition(name)] = RetryRule(
            cooldown_min=rule.get("cooldownMin"),
            max_attempts=rule.get("maxAttempts"),
            scheduled_at=datetime.fromisoformat(scheduled) if scheduled else None,
        )
    return rules


async def set_retry_rules(public_id: str, data: RetryRuleSetInput, audit: AuditScope) -> LeadList:
    row = await get_list(public_id)
    stored: dict[str, dict[str, Any]] = {}
    for disposition in ("NOANSWER", "BUSY", "VOICEMAIL", "CALLBACK"):
        rule = getattr(data.rules, disposition)
        if rule is UNSET:
            continue
        values = {key: getattr(rule, attr, UNSET) for attr, key in _RULE_KEYS.items()}
        stored[disposition] = {
            key: (value.astimezone(UTC).isoformat() if isinstance(value, datetime) else value)
            for key, value in values.items()
            if value is not UNSET
        }
    before, row.retry_rules = row.retry_rules, stored
    await row.save(update_fields=["retry_rules", "updated_at"])
    audit.target("list", row.public_id, retryRules={"from": before, "to": stored})
    return row


async def get_lead(public_id: str) -> Lead:
    return await fetch(Lead, "lead", public_id, "lead")


async def search_leads(list_id: str, q: str | None, first: int | None, after: str | None, convert: Any) -> Connection:
    owner = await get_list(list_id)
    rows = Lead.filter(list_id=owner.id)
    if q and q.strip():
        text = q.strip()
        digits = "".join(ch for ch in text if ch.isdigit())
        match = Q(first_name__icontains=text) | Q(last_name__icontains=text)
        if len(digits) >= 3:
            match |= Q(phone__contains=digits)
        rows = rows.filter(match)
    return await paginate(rows, first, after, convert)


async def record_disposition(public_id: str, data: DispositionInput, context: Context, audit: AuditScope) -> Lead:
    data.disposition = Disposition(data.disposition.value)
    lead = await get_lead(public_id)
    try:
        campaign_key: int | None = parse_id("cmp", data.campaign_id, "campaign")
    except NotFound:
        campaign_key = None
    if campaign_key is None or not await Campaign.exists(id=campaign_key):
        raise BadRequest.fields({"campaignId": f"no campaign {data.campaign_id!r}"})
    scheduled = None if data.scheduled_at is UNSET else data.scheduled_at
    if scheduled is not None and data.disposition is not Disposition.CALLBACK:
        raise BadRequest.fields({"scheduledAt": "only a CALLBACK takes scheduledAt"})
    now = datetime.now(UTC)
    if scheduled is not None:
        scheduled = scheduled if scheduled.tzinfo else scheduled.replace(tzinfo=UTC)
        if scheduled <= now:
            raise BadRequest.fields({"scheduledAt": "must be in the future"})
    owner = await LeadList.get(id=lead.list_id)
    try:
        outcome = after_disposition(
            LeadState(lead.status), data.disposition, lead.attempts_by_disposition, rules_of(owner), now, scheduled
        )
    except InvalidTransition as refused:
        raise Conflict(str(refused), {"status": lead.status, "disposition": data.disposition.value}) from None
    except MissingSchedule as missing:
        raise BadRequest.fields({"scheduledAt": str(missing)}) from None
    before = lead.status
    # Only while the state is still the one read: of two racing dispositions one is refused.
    moved = await Lead.filter(id=lead.id, status=before).update(
        status=outcome.state.value,
        dialable=outcome.dialable,
        priority=outcome.priority,
        next_attempt_at=outcome.next_attempt_at,
        attempts=lead.attempts + 1,
        attempts_by_disposition=outcome.attempts_by_disposition,
        last_disposition=data.disposition.value,
        updated_at=now,
    )
    if not moved:
        raise Conflict("the lead changed meanwhile; read it and try again", {"id": public_id})
    notes = None if data.notes is UNSET else data.notes
    await LeadAttempt.create(
        lead_id=lead.id,
        campaign_id=data.campaign_id,
        disposition=data.disposition.value,
        notes=notes,
        scheduled_at=outcome.next_attempt_at if data.disposition is Disposition.CALLBACK else None,
        source="agent",
        actor=context.actor.subject,
        at=now,
    )
    if data.disposition is Disposition.DNC:
        await dnc.block(lead.phone, None, f"DNC disposition on {public_id}", context.actor.subject)
    audit.target(
        "lead",
        public_id,
        disposition=data.disposition.value,
        campaignId=data.campaign_id,
        **{"from": before, "to": outcome.state.value},
    )
    await lead.refresh_from_db()
    return lead
