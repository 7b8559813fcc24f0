"""Provider operations as plain async functions under the resolvers; health from the CDRs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from strawberry import UNSET
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.functions import Avg, Count

from dialer.graphql.context import AuditScope, Context
from dialer.graphql.errors import BadRequest, Conflict
from dialer.graphql.ids import fetch_by
from dialer.graphql.providers.types import ProviderHealth, ProviderInput, ProviderPatch
from dialer.models import Cdr as CdrRow
from dialer.models import Provider as ProviderRow

HEALTH_WINDOW = timedelta(minutes=5)
_FIELDS = ("name", "host", "codecs", "route", "max_cps", "enabled")
# Audit details use the contract's names.
_CONTRACT = {"max_cps": "maxCps"}


async def get(name: str) -> ProviderRow:
    return await fetch_by(ProviderRow, "provider", name=name)


def _codecs(codecs: list[str]) -> list[str]:
    if len({codec.upper() for codec in codecs}) != len(codecs):  # FreeSWITCH reads codec names in any case
        raise BadRequest.fields({"codecs": "must not list the same codec twice"})
    return list(codecs)


def _snapshot(row: ProviderRow) -> dict[str, Any]:
    return {_CONTRACT.get(name, name): getattr(row, name) for name in _FIELDS}


async def create(data: ProviderInput, context: Context, audit: AuditScope) -> ProviderRow:
    if await ProviderRow.exists(name=data.name):
        raise Conflict(f"provider {data.name!r} already exists", {"name": data.name})
    try:
        row = await ProviderRow.create(
            name=data.name,
            host=data.host,
            codecs=_codecs(data.codecs),
            route=data.route.strip(),
            max_cps=data.max_cps,
            enabled=data.enabled,
        )
    except IntegrityError:
        raise Conflict(f"provider {data.name!r} already exists", {"name": data.name}) from None
    audit.target("provider", row.name, provider=_snapshot(row))
    return row


async def update(name: str, patch: ProviderPatch, context: Context, audit: AuditScope) -> ProviderRow:
    row = await get(name)
    before = _snapshot(row)
    for field in _FIELDS:
        value = getattr(patch, field)
        if value is UNSET or value is None:
            continue
        if field == "codecs":
            value = _codecs(value)
        elif field == "route":
            value = value.strip()
        setattr(row, field, value)
    after = _snapshot(row)
    changed = {key: {"from": before[key], "to": after[key]} for key in after if before[key] != after[key]}
    if "name" in changed and await ProviderRow.exists(name=row.name):
        raise Conflict(f"provider {row.name!r} already exists", {"name": row.name})
    if changed:
        row.updated_at = datetime.now(UTC)
        columns = {field: getattr(row, field) for field in _FIELDS if _CONTRACT.get(field, field) in changed}
        try:
            await ProviderRow.filter(id=row.id).update(**columns, updated_at=row.updated_at)
        except IntegrityError:
            raise Conflict(f"provider {row.name!r} already exists", {"name": row.name}) from None
    audit.target("provider", name, changed=changed)
    return row


async def health(context: Context, now: datetime | None = None) -> list[ProviderHealth]:
    """Each provider's last 5 minutes: asr5m and cps from the live view's trunk window (what its
    kpi.tick says); PDD, SIP statuses and the SIT and fax shares, which the windows do not keep, from
    the CDRs, in two grouped queries over idx_cdrs_trunk_end."""
    since = (now or datetime.now(UTC)) - HEALTH_WINDOW
    recent = CdrRow.filter(end_at__gte=since, trunk_id__not_isnull=True)
    totals = {
        row["trunk_id"]: row
        for row in await recent.annotate(
            calls=Count("id"),
            pdd=Avg("progress_ms"),
            sit=Count("id", _filter=Q(outcome="SIT")),
            fax=Count("id", _filter=Q(outcome="FAX")),
        )
        .group_by("trunk_id")
        .values("trunk_id", "calls", "pdd", "sit", "fax")
    }
    sip: dict[str, dict[str, int]] = {}
    for row in (
        await recent.filter(answer_at__isnull=True, sip_status__not_isnull=True)
        .annotate(n=Count("id"))
        .group_by("trunk_id", "sip_status")
        .values("trunk_id", "sip_status", "n")
    ):
        sip.setdefault(row["trunk_id"], {})[str(row["sip_status"])] = row["n"]
    items = []
    for provider in await ProviderRow.all().order_by("id"):
        figures = totals.get(provider.name) or {}
        calls = figures.get("calls") or 0
        asr5m, cps = context.switchboard.trunk_live(provider.name)
        items.append(
            ProviderHealth(
                id=provider.name,
                asr5m=round(asr5m, 4),
                pdd_ms=round(figures["pdd"]) if figures.get("pdd") is not None else None,
                cps=round(cps, 2),
                cps_max=provider.max_cps,
                sip=sip.get(provider.name, {}),
                sit_pct=round(figures["sit"] / calls, 4) if calls else 0.0,
                fax_pct=round(figures["fax"] / calls, 4) if calls else 0.0,
                calls5m=calls,
                enabled=provider.enabled,
            )
        )
    return items
