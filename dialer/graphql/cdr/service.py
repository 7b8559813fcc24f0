"""CDR intake: check where it comes from, parse it, store it once, record the lead's attempt.

Order of guarantees: a post from outside the allowlist is refused (403) before anything is read; a
malformed one is refused (400) and kept in the dead-letter store, committed even though the request
failed; a well-formed one is stored, with its lead's attempt, in one transaction, and only then does
the poster get its 2xx. A uuid already stored answers 200 with `duplicate: true` and changes nothing,
because mod_json_cdr retries on anything but a 2xx."""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import orjson

from dialer.engine.leads import Disposition, InvalidTransition, LeadState, MissingSchedule, after_disposition
from dialer.engine.outcomes import LEAD_DISPOSITION, CallOutcome, classify
from dialer.freeswitch.cdr import CdrError, CdrRecord, parse_cdr
from dialer.graphql.cdr.types import CdrReceipt
from dialer.graphql.context import Context
from dialer.graphql.errors import BadRequest, Conflict, Forbidden
from dialer.graphql.ids import fetch_by
from dialer.graphql.leads.service import rules_of
from dialer.graphql.pagination import paginate
from dialer.models import Cdr as CdrRow
from dialer.models import CdrDeadLetter, Lead, LeadAttempt, LeadList

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
    outcome = classify(
        answered=record.answer_at is not None,
        hangup_cause=record.hangup_cause,
        sip_status=record.sip_status,
        amd_label=record.amd_label,
        tone=record.tone,
        agent_bridged=record.agent_bridged,
        queued=record.queue is not None,
    )
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
        "network_addr": record.network_addr,
        "read_codec": record.read_codec,
        "write_codec": record.write_codec,
        "document": orjson.dumps(record.raw).decode(),
        "received_at": datetime.now(UTC),
    }


def _lead_key(lead_id: str | None) -> int | None:
    if not lead_id:
        return None
    number = lead_id.removeprefix("lead_")
    if number.isascii() and number.isdigit() and 0 < len(number) <= 18:
        return int(number)
    return None


async def _record_attempt(record: CdrRecord, outcome: CallOutcome) -> tuple[str | None, str | None]:
    """The lead's attempt, by the list's retry rules. Returns (disposition recorded, why not)."""
    key = _lead_key(record.lead_id)
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
