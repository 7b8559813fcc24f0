"""Campaign operations as plain async functions under the resolvers."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from strawberry import UNSET

from dialer.engine.windows import WeeklyHours
from dialer.graphql.campaigns.types import (
    AmdAccuracy,
    AmdInput,
    CampaignCreateInput,
    CampaignPatchInput,
    CampaignRuntime,
    CampaignStatus,
    PredictiveInput,
)
from dialer.graphql.cdr.service import abandon_counts, amd_audit_counts
from dialer.graphql.context import AuditScope, CampaignRunner, Context
from dialer.graphql.errors import BadRequest, Conflict
from dialer.graphql.ids import fetch
from dialer.graphql.pagination import Connection, paginate
from dialer.models import Campaign as CampaignRow

# action -> (statuses it may start from, status it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "start": (frozenset({"paused"}), "running"),
    "pause": (frozenset({"running"}), "paused"),
    "stop": (frozenset({"paused", "running"}), "stopped"),
}

# Input attribute -> key in the JSON column (the contract's own names, so rows read like the API)
_AMD_KEYS = {
    "engine": "engine",
    "min_confidence": "minConfidence",
    "window_ms": "windowMs",
    "detect_fax": "detectFax",
    "detect_sit": "detectSIT",
    "audit_share": "auditShare",
}
_PREDICTIVE_KEYS = {"target_occupancy": "targetOccupancy", "aht_sec": "ahtSec"}
_COLUMNS = (
    "name",
    "type",
    "list_id",
    "queue",
    "pacing",
    "max_channels",
    "abandon_cap",
    "calling_hours",
    "drop_lockout_hours",
)
_SNAPSHOT_COLUMNS = {
    "name": "name",
    "type": "type",
    "listId": "list_id",
    "queue": "queue",
    "trunkPolicy": "trunk_policy",
    "pacing": "pacing",
    "maxChannels": "max_channels",
    "abandonCap": "abandon_cap",
    "callingHours": "calling_hours",
    "dropLockoutHours": "drop_lockout_hours",
    "amd": "amd",
    "predictive": "predictive",
}


async def get(public_id: str) -> CampaignRow:
    return await fetch(CampaignRow, "cmp", public_id, "campaign")


def _plain(value: Any) -> Any:
    return value.value if hasattr(value, "value") else value


def _amd(data: AmdInput) -> dict[str, Any]:
    return {key: _plain(getattr(data, attr)) for attr, key in _AMD_KEYS.items()}


def _predictive(data: PredictiveInput) -> dict[str, Any]:
    return {key: getattr(data, attr) for attr, key in _PREDICTIVE_KEYS.items()}


def _snapshot(row: CampaignRow) -> dict[str, Any]:
    """The campaign's settings under the contract's names, as audit details show them."""
    return {key: getattr(row, column) for key, column in _SNAPSHOT_COLUMNS.items()} | {"status": row.status}


def _announce(context: Context, row: CampaignRow) -> None:
    context.announce(
        "campaigns",
        {"type": "campaign.update", "id": row.public_id, "status": row.status, "ts": int(time.time() * 1000)},
    )


def _calling_hours(spec: Any) -> str | None:
    """The window as given, once dialer.engine.windows reads it; an empty one (or none) is no window."""
    if spec is UNSET or spec is None or not spec.strip():
        return None
    try:
        WeeklyHours.parse(spec)
    except (ValueError, IndexError) as bad:
        raise BadRequest.fields({"callingHours": f"not a calling window: {bad}"}) from None
    return spec.strip()


async def create(data: CampaignCreateInput, context: Context, audit: AuditScope) -> CampaignRow:
    policy = {"weights": data.trunk_policy.weights, "caps": data.trunk_policy.caps}
    row = await CampaignRow.create(
        name=data.name.strip(),
        type=data.type.value,
        list_id=data.list_id,
        queue=data.queue,
        trunk_policy=policy,
        pacing=data.pacing,
        max_channels=data.max_channels,
        abandon_cap=data.abandon_cap,
        calling_hours=_calling_hours(data.calling_hours),
        drop_lockout_hours=data.drop_lockout_hours,
        amd=_amd(data.amd),
        predictive=_predictive(data.predictive),
        status=CampaignStatus.paused.value,
    )
    audit.target("campaign", row.public_id, campaign=_snapshot(row))
    _announce(context, row)
    return row


def _merged(current: dict[str, Any], patch: Any, keys: dict[str, str]) -> dict[str, Any]:
    merged = dict(current)
    for attr, key in keys.items():
        value = getattr(patch, attr)
        if value is not UNSET:
            merged[key] = _plain(value)
    return merged


async def update(public_id: str, patch: CampaignPatchInput, context: Context, audit: AuditScope) -> CampaignRow:
    row = await get(public_id)
    if row.status == CampaignStatus.stopped.value:
        raise Conflict(f"campaign {public_id} is stopped; a stopped campaign cannot change", {"status": row.status})
    before = _snapshot(row)
    for column in _COLUMNS:
        value = getattr(patch, column)
        if value is not UNSET:
            if column == "calling_hours":
                value = _calling_hours(value)
            setattr(row, column, value.strip() if column == "name" else _plain(value))
    if patch.amd is not UNSET:
        row.amd = _merged(row.amd, patch.amd, _AMD_KEYS)
    if patch.predictive is not UNSET:
        row.predictive = _merged(row.predictive, patch.predictive, _PREDICTIVE_KEYS)
    if patch.trunk_policy is not UNSET:
        row.trunk_policy = _merged(row.trunk_policy, patch.trunk_policy, {"weights": "weights", "caps": "caps"})
    after = _snapshot(row)
    changed = {key: {"from": before[key], "to": after[key]} for key in after if before[key] != after[key]}
    if changed:
        # Only the changed columns, and only while not stopped: a racing start or stop keeps its status.
        columns = {_SNAPSHOT_COLUMNS[key]: getattr(row, _SNAPSHOT_COLUMNS[key]) for key in changed}
        row.updated_at = datetime.now(UTC)
        saved = (
            await CampaignRow.filter(id=row.id)
            .exclude(status=CampaignStatus.stopped.value)
            .update(**columns, updated_at=row.updated_at)
        )
        if not saved:
            raise Conflict(f"campaign {public_id} was stopped meanwhile; it cannot change", {"status": "stopped"})
        _announce(context, row)
    audit.target("campaign", row.public_id, changed=changed)
    return row


async def transition(public_id: str, action: str, context: Context, audit: AuditScope) -> CampaignRow:
    sources, target = TRANSITIONS[action]
    row = await get(public_id)
    # A conditional UPDATE on the status just read, so of two racing requests only one moves it.
    moved = row.status in sources and await CampaignRow.filter(id=row.id, status=row.status).update(
        status=target, updated_at=datetime.now(UTC)
    )
    if not moved:
        current = (await get(public_id)).status
        raise Conflict(
            f"cannot {action} campaign {public_id}: it is {current}",
            {"status": current, "action": action, "allowedFrom": sorted(sources)},
        )
    audit.target("campaign", row.public_id, **{"from": row.status, "to": target})
    await row.refresh_from_db()
    key = row.id
    hook = {"start": context.runner.started, "pause": context.runner.paused, "stop": context.runner.stopped}[action]
    context.after_commit.append(lambda: hook(key))
    _announce(context, row)
    return row


async def search(
    status: CampaignStatus | None, q: str | None, first: int | None, after: str | None, convert: Any
) -> Connection:
    rows = CampaignRow.all()
    if status is not None:
        rows = rows.filter(status=status.value)
    if q:
        rows = rows.filter(name__icontains=q.strip())
    return await paginate(rows, first, after, convert)


async def runtime(public_id: str, runner: CampaignRunner) -> CampaignRuntime:
    row = await get(public_id)
    figures = runner.figures(row.id)
    since = max(row.created_at, datetime.now(UTC) - LAW_WINDOW)
    humans, abandoned = await abandon_counts(row.public_id, since)
    amd = await amd_audit_counts(row.public_id, since)
    unaudited = amd["machine_verdicts"] - amd["audited"]
    return CampaignRuntime(
        status=CampaignStatus(row.status),
        pacing=row.pacing,
        asr5m=figures.asr5m,
        acd=figures.acd,
        cps=figures.cps,
        cc=figures.cc,
        abandon60s=figures.abandon60s,
        reason=figures.reason if row.status == CampaignStatus.running.value else None,
        abandon_rate=round(abandoned / humans, 4) if humans else 0.0,
        live_answers=humans,
        amd_accuracy=AmdAccuracy(
            **amd, humans_hung_up=round(unaudited * amd["humans"] / amd["judged"]) if amd["judged"] else None
        ),
    )


# The law's abandon window: the campaign's life while shorter, else the last 30 days.
LAW_WINDOW = timedelta(days=30)
