"""The do-not-call store. A global entry also marks every lead with that number dnc, in every list;
a campaign's entry is checked when that campaign dials. Removing an entry does not make leads that
were marked dnc dialable again: the person asked not to be called."""

from __future__ import annotations

from typing import Any

from tortoise.exceptions import IntegrityError

from dialer.graphql.context import Context
from dialer.graphql.errors import BadRequest, NotFound
from dialer.graphql.ids import parse_id
from dialer.graphql.pagination import Connection, paginate
from dialer.graphql.phones import PhoneParser
from dialer.models import Campaign, DncNumber, Lead, LeadList
from dialer.models.dnc import GLOBAL

MAX_BULK = 10_000


def e164(phones: PhoneParser, raw: str, field: str = "phone") -> str:
    parsed = phones.parse(raw)
    if parsed is None:
        raise BadRequest.fields({field: f"{raw!r} is not a valid phone number"})
    return parsed.e164


async def scope_of(campaign_id: str | None) -> str:
    if campaign_id is None:
        return GLOBAL
    try:
        known = await Campaign.exists(id=parse_id("cmp", campaign_id, "campaign"))
    except NotFound:
        known = False
    if not known:
        raise BadRequest.fields({"campaignId": f"no campaign {campaign_id!r}"})
    return campaign_id


async def block(phone: str, campaign_id: str | None, reason: str | None, actor: str) -> bool:
    """Add one E.164 number; False if it was there already."""
    scope = await scope_of(campaign_id)
    if await DncNumber.exists(phone=phone, scope=scope):
        return False
    try:
        await DncNumber.create(phone=phone, scope=scope, reason=reason, created_by=actor)
    except IntegrityError:  # a racing request added it first
        return False
    if scope == GLOBAL:
        # Per list, so that the (list_id, phone) index finds the number: leads keep no index on phone alone.
        lists = await LeadList.all().values_list("id", flat=True)
        await (
            Lead.filter(list_id__in=lists, phone=phone)
            .exclude(status="dnc")
            .update(status="dnc", dialable=False, priority=9)
        )
    return True


async def add(raw: str, campaign_id: str | None, reason: str | None, context: Context) -> DncNumber:
    phone = e164(context.phones, raw)
    await block(phone, campaign_id, reason, context.actor.subject)
    return await DncNumber.get(phone=phone, scope=await scope_of(campaign_id))


async def add_many(raws: list[str], campaign_id: str | None, reason: str | None, context: Context) -> dict[str, Any]:
    if len(raws) > MAX_BULK:
        raise BadRequest.fields({"phones": f"at most {MAX_BULK} per call"})
    added = present = 0
    invalid = []
    for raw in raws:
        parsed = context.phones.parse(raw)
        if parsed is None:
            invalid.append(raw)
        elif await block(parsed.e164, campaign_id, reason, context.actor.subject):
            added += 1
        else:
            present += 1
    return {"added": added, "already_present": present, "invalid": invalid}


async def remove(raw: str, campaign_id: str | None, context: Context) -> tuple[str, bool]:
    phone = e164(context.phones, raw)
    removed = await DncNumber.filter(phone=phone, scope=await scope_of(campaign_id)).delete()
    return phone, bool(removed)


async def check(raw: str, campaign_id: str | None, context: Context) -> tuple[str, bool, bool]:
    phone = e164(context.phones, raw)
    scopes = set(await DncNumber.filter(phone=phone).values_list("scope", flat=True))
    return phone, GLOBAL in scopes, campaign_id is not None and campaign_id in scopes


async def search(campaign_id: str | None, first: int | None, after: str | None, convert: Any) -> Connection:
    rows = DncNumber.filter(scope=campaign_id or GLOBAL)
    return await paginate(rows, first, after, convert)
