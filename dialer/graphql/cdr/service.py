"""CDR intake: check where it comes from, parse it, store it once, record the lead's attempt.

Order of guarantees: a post from outside the allowlist is refused (403) before anything is read; a
malformed one is refused (400) and kept in the dead-letter store, committed even though the request
failed; a well-formed one is stored, with its lead's attempt, in one transaction, and only then does
the poster get its 2xx. A uuid already stored answers 200 with `duplicate: true` and changes nothing,
because mod_json_cdr retries on anything but a 2xx.

An abandoned call's lead is not redialled within the campaign's `dropLockoutHours`: its retry time
is pushed back to the end of the lockout (for every campaign dialling its list)."""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from tortoise.expressions import Q

from dialer.engine.leads import (
    Disposition,
    InvalidTransition,
    LeadState,
    MissingSchedule,
    Outcome,
    after_disposition,
)
from dialer.engine.outcomes import LEAD_DISPOSITION, CallOutcome, classify
from dialer.freeswitch.cdr import CdrError, CdrRecord, parse_cdr
from dialer.graphql.cdr.types import CdrReceipt
from dialer.graphql.context import Context
from dialer.graphql.errors import BadRequest, Conflict, Forbidden
from dialer.graphql.ids import fetch_by
from dialer.graphql.leads.service import rules_of
from dialer.graphql.pagination import paginate
from dialer.models import Campaign, CdrDeadLetter, Lead, LeadAttempt, LeadList
from dialer.models import Cdr as CdrRow

log = logging.getLogger(__name__)
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def allowed(client_ip: str | None, allowlist: Sequence[Network]) -> bool:
    if client_ip is None:
        return False
    try:
        address = ipaddress.ip_address(client_ip)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in network for network in allowlist)


async def ingest(body: str, content_type: str | None, query_uuid: str | None, context: Context) -> CdrReceipt:
    if not allowed(context.client_ip, context.deployment.fs_allowlist):
        raise Forbidden(
            f"CDRs are not accepted from {context.client_ip or 'an unknown address'}",
            {"clientIp": context.client_ip, "setting": "DIALER_FS_ALLOW"},
        )
    try:
        record = parse_cdr(body.encode("utf-8", "surrogateescape"), content_type, query_uuid)
    except CdrError as refused:
        reason = refused.reason
        context.after_rollback.append(lambda: _dead_letter(body, content_type, query_uuid, context, reason))
        raise BadRequest(f"CDR refused: {reason}", {"reason": reason, "deadLetter": True}) from None
    if await CdrRow.exists(uuid=record.uuid):
        existing = await CdrRow.get(uuid=record.uuid)
        return CdrReceipt(
            uuid=record.uuid,
            stored=False,
            duplicate=True,
            outcome=existing.outcome,
            disposition=existing.disposition,
            lead_id=existing.lead_id,
            note=None,
        )
    outcome = classify(**record.outcome_inputs())
    disposition, note = await _record_attempt(record, outcome)
    row = await CdrRow.create(**_columns(record), outcome=outcome.value, disposition=disposition)
    context.announce("cdr", {"type": "cdr.stored", "uuid": row.uuid, "outcome": row.outcome, "trunkId": row.trunk_id})
    return CdrReceipt(
        uuid=row.uuid,
        stored=True,
        duplicate=False,
        outcome=row.outcome,
        disposition=disposition,
        lead_id=record.lead_id,
        note=note,
    )


def _columns(record: CdrRecord) -> dict[str, Any]:
    return {
        "uuid": record.uuid,
        "call_id": record.call_id,
        "direction": record.direction,
        "node": record.node,
        "campaign_id": record.campaign_id,
        "list_id": record.list_id,
        "lead_id": record.lead_id,
        "trunk_id": record.trunk_id,
        "queue": record.queue,
        "agent_id": record.agent_id,
        "start_at": record.start_at,
        "answer_at": record.answer_at,
        "end_at": record.end_at or record.start_at or datetime.now(UTC),
        "duration_s": record.duration_s or 0,
        "billsec_s": record.billsec_s or 0,
        "progress_ms": record.progress_ms,
        "early_media_ms": record.early_media_ms,
        "queue_wait_ms": record.queue_wait_ms,
        "hangup_cause": record.hangup_cause,
        "q850": record.q850,
        "sip_status": record.sip_status,
        "caller_id_name": record.caller_id_name,
        "caller_id_number": record.caller_id_number,
        "destination_number": record.destination_number,
        "recording_url": record.recording_url,
        "amd_label": record.amd_label,
        "amd_confidence": record.amd_confidence,
        "amd_latency_ms": record.amd_latency_ms,
        "amd_audit": record.amd_audit,
        "network_addr": record.network_addr,
        "read_codec": record.read_codec,
        "write_codec": record.write_codec,
        "document": orjson.dumps(record.raw).decode(),
        "received_at": datetime.now(UTC),
    }


def _key(public_id: str | None, prefix: str = "lead_") -> int | None:
    """The row key of a channel variable's id ("lead_42" -> 42), or None for anything else."""
    if not public_id:
        return None
    number = public_id.removeprefix(prefix)
    if number.isascii() and number.isdigit() and 0 < len(number) <= 18:
        return int(number)
    return None


async def _record_attempt(record: CdrRecord, outcome: CallOutcome) -> tuple[str | None, str | None]:
    """The lead's attempt, by the list's retry rules. Returns (disposition recorded, why not)."""
    key = _key(record.lead_id)
    if key is None:
        return None, "the CDR names no lead" if not record.lead_id else f"{record.lead_id!r} is not a lead id"
    lead = await Lead.get_or_none(id=key)
    if lead is None:
        return None, f"lead {record.lead_id} not found"
    name = LEAD_DISPOSITION[outcome]
    disposition = Disposition(name) if name else Disposition.HUMAN
    at = record.end_at or datetime.now(UTC)
    await LeadAttempt.create(
        lead_id=lead.id,
        campaign_id=record.campaign_id,
        disposition=disposition.value,
        notes=None,
        scheduled_at=None,
        source="cdr",
        actor=record.node or "freeswitch",
        at=at,
    )
    if disposition is Disposition.HUMAN:
        return disposition.value, None  # the agent records what the call came to
    owner = await LeadList.get(id=lead.list_id)
    try:
        result = after_disposition(
            LeadState(lead.status), disposition, lead.attempts_by_disposition, rules_of(owner), datetime.now(UTC)
        )
    except (InvalidTransition, MissingSchedule) as refused:
        return disposition.value, f"lead state unchanged: {refused}"
    if disposition is Disposition.ABANDONED:
        result = await _drop_lockout(result, record.campaign_id, at)
    moved = await Lead.filter(id=lead.id, status=lead.status).update(
        status=result.state.value,
        dialable=result.dialable,
        priority=result.priority,
        next_attempt_at=result.next_attempt_at,
        attempts=lead.attempts + 1,
        attempts_by_disposition=result.attempts_by_disposition,
        last_disposition=disposition.value,
        updated_at=datetime.now(UTC),
    )
    if not moved:
        # A disposition landed meanwhile; mod_json_cdr retries on the 409 and finds the new state.
        raise Conflict("the lead changed while its CDR was recorded; retry", {"leadId": record.lead_id})
    return disposition.value, None


async def _drop_lockout(result: Outcome, campaign_id: str | None, at: datetime) -> Outcome:
    key = _key(campaign_id, "cmp_")
    if key is None or result.state is not LeadState.retry_due:
        return result
    hours = await Campaign.filter(id=key).values_list("drop_lockout_hours", flat=True)
    if not hours or not hours[0]:
        return result
    until = at + timedelta(hours=hours[0])
    if result.next_attempt_at is not None and result.next_attempt_at >= until:
        return result
    return replace(result, next_attempt_at=until)


async def _dead_letter(
    body: str, content_type: str | None, query_uuid: str | None, context: Context, reason: str
) -> None:
    try:
        await CdrDeadLetter.create(
            received_at=datetime.now(UTC),
            client_ip=context.client_ip,
            content_type=(content_type or "")[:255] or None,
            query_uuid=(query_uuid or "")[:64] or None,
            reason=reason[:500],
            body=body.replace("\x00", "\\u0000"),
        )
    except Exception:  # the 400 still goes out; the log keeps what the store could not
        log.exception("could not keep a refused CDR (%s): %r", reason, body[:2000])


async def dead_letters(first: int | None, after: str | None, convert: Any) -> Any:
    return await paginate(CdrDeadLetter.all(), first, after, convert, newest_first=True)


async def get(uuid: str) -> CdrRow:
    return await fetch_by(CdrRow, "CDR", uuid=uuid)


async def abandon_counts(campaign_id: str, since: datetime, until: datetime | None = None) -> tuple[int, int]:
    """(live answers, abandoned) of a campaign's CDRs that ended in [since, until): the law's
    numbers (dialer.engine.pacing_ledger says which window: the campaign's life, or 30 days)."""
    rows = CdrRow.filter(campaign_id=campaign_id, end_at__gte=since, outcome__in=("HUMAN", "ABANDONED"))
    if until is not None:
        rows = rows.filter(end_at__lt=until)
    humans = await rows.count()
    abandoned = await rows.filter(outcome="ABANDONED").count() if humans else 0
    return humans, abandoned


async def amd_audit_counts(campaign_id: str, since: datetime) -> dict[str, int]:
    """How often AMD was wrong, from the audited calls (the module docstring of
    dialer.app.campaign_calls): machine verdicts, audited ones, audited ones an agent dispositioned,
    and of those the ones that were people (any disposition but VOICEMAIL); and human verdicts an
    agent dispositioned VOICEMAIL (AMD let a machine through)."""
    calls = CdrRow.filter(campaign_id=campaign_id, end_at__gte=since)
    machine = await calls.filter(amd_label="VOICEMAIL").count()
    checked = await calls.filter(Q(amd_audit=True) | Q(amd_label="HUMAN", outcome=CallOutcome.HUMAN.value)).values_list(
        "lead_id", "start_at", "end_at", "amd_audit"
    )
    audited = sum(1 for *_, audit in checked if audit)
    leads = {key for key in (_key(lead) for lead, *_ in checked) if key is not None}
    said: dict[int, list[tuple[datetime, str]]] = {}
    if leads:
        for lead_id, at, disposition in await LeadAttempt.filter(
            lead_id__in=leads, campaign_id=campaign_id, source="agent", at__gte=since
        ).values_list("lead_id", "at", "disposition"):
            said.setdefault(lead_id, []).append((at, disposition))
    judged = humans = machines_passed = 0
    for lead, start, end, audit in checked:
        after = start or end
        verdicts = sorted(d for d in said.get(_key(lead) or 0, ()) if d[0] >= after)
        if not verdicts:
            continue
        voicemail = verdicts[0][1] == Disposition.VOICEMAIL.value
        if audit:
            judged += 1
            humans += not voicemail
        else:
            machines_passed += voicemail
    return {
        "machine_verdicts": machine,
        "audited": audited,
        "judged": judged,
        "humans": humans,
        "machines_passed": machines_passed,
    }
