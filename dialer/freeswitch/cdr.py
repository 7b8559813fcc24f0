"""What FreeSWITCH's mod_json_cdr posts, read into one normalised CdrRecord. Pure: no I/O.

Bodies (dialer.freeswitch.cdr_fields has the details and the value-decoding rule): raw JSON, a
`cdr=` form holding url-encoded JSON (encode=true) or base64 JSON (encode=base64), with values
url-encoded (encode-values=true, the default) or not.

Two layouts are read:

* FreeSWITCH's (switch_ivr_generate_json_cdr): `core-uuid`, `switchname`, `channel_data`,
  `callStats`, `variables`, `app_log`, and `callflow` (an array, newest profile first; an object in
  old releases), each with `caller_profile` and `times` (microseconds).
* The contract's flat one: `uuid`, `start_stamp`, `hangup_cause`, `amd_label`... at the top level.

A field is looked up in `variables` first, then the first callflow's `caller_profile` and `times`,
then the top level. The call's uuid comes from there or, failing that, from mod_json_cdr's
`?uuid=`; none at all is a CdrError ("no uuid").

Choices:

* Times prefer `*_uepoch`, then `*_epoch`, then the callflow's `*_time`, then `*_stamp`, which is
  the node's local time without a zone: it is read as UTC (run the nodes in UTC). All datetimes are
  timezone-aware UTC; an answer time of 0 or empty means not answered.
* The contract's `sip_hangup_cause` ("16" in its example, a Q.850 number) is a SIP status when it
  is 100-699, else a Q.850 cause number.
* Numbers may arrive as strings; anything that is not a number in a numeric field is a CdrError
  naming the field (never a silent 0). Identifiers longer than their column are a CdrError; other
  text is cut to its column's length. NUL characters are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from dialer.freeswitch.causes import Q850, SIP_TO_CAUSE
from dialer.freeswitch.cdr_fields import (
    CdrError,
    amd_label,
    confidence,
    decode_values,
    document_bytes,
    epoch,
    flag,
    integer,
    load_object,
    number,
    stamp,
    text,
    tone_label,
)

__all__ = ["CdrError", "CdrRecord", "parse_cdr"]

US = 1_000_000
UUID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
_CAUSE_NAMES = {number: name for name, number in Q850.items()}
# Longest text kept per field (the cdrs table's columns); identifiers longer than this are refused.
LIMITS = {"uuid": 64, "campaign_id": 32, "list_id": 32, "lead_id": 32, "trunk_id": 64, "queue": 64, "agent_id": 64}


@dataclass(frozen=True)
class CdrRecord:
    uuid: str
    call_id: str | None = None
    direction: str | None = None
    node: str | None = None
    start_at: datetime | None = None
    answer_at: datetime | None = None
    end_at: datetime | None = None
    duration_s: int = 0
    billsec_s: int = 0
    progress_ms: int | None = None  # post-dial delay: INVITE to the first 180/183
    early_media_ms: int | None = None  # 183 to answer (or to the end, unanswered)
    hangup_cause: str | None = None  # Q.850 name, as FreeSWITCH spells it
    q850: int | None = None
    sip_status: int | None = None
    caller_id_name: str | None = None
    caller_id_number: str | None = None
    destination_number: str | None = None
    campaign_id: str | None = None
    list_id: str | None = None
    lead_id: str | None = None
    trunk_id: str | None = None
    queue: str | None = None
    agent_id: str | None = None
    agent_bridged: bool = False
    queue_cancel_reason: str | None = None
    queue_wait_ms: int | None = None
    recording_url: str | None = None
    amd_label: str | None = None  # HUMAN | VOICEMAIL | FAX | SIT | UNKNOWN
    amd_confidence: float | None = None
    amd_latency_ms: int | None = None
    amd_audit: bool = False  # a machine verdict the dialer sent to an agent anyway (dialer_amd_audit)
    tone: str | None = None  # FAX | SIT
    network_addr: str | None = None
    read_codec: str | None = None
    write_codec: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def answered(self) -> bool:
        return self.answer_at is not None

    @property
    def queued(self) -> bool:
        return self.queue is not None

    def outcome_inputs(self) -> dict[str, Any]:
        """The keyword arguments of dialer.engine.outcomes.classify."""
        return {
            "answered": self.answered,
            "hangup_cause": self.hangup_cause,
            "sip_status": self.sip_status,
            "amd_label": self.amd_label,
            "tone": self.tone,
            "agent_bridged": self.agent_bridged,
            "queued": self.queued,
            "amd_audit": self.amd_audit,
        }


class _Document:
    """Field lookup over variables, the first callflow's caller_profile and times, and the top level."""

    def __init__(self, document: dict[str, Any]) -> None:
        flow = document.get("callflow")
        flows = [item for item in (flow if isinstance(flow, list) else [flow]) if isinstance(item, dict)]
        first = flows[0] if flows else {}
        self.variables = _object(document.get("variables"))
        self.profile = _object(first.get("caller_profile"))
        self.original = _object(flows[-1].get("caller_profile")) if flows else {}
        self.times = _object(first.get("times"))
        self.top = document
        self.flat = "variables" not in document
        self.sources = (self.variables, self.profile, self.times, document)

    def find(self, *keys: str) -> tuple[str, Any]:
        """The first key with a non-empty value, and that value; ("", None) if none has one."""
        for key in keys:
            for source in self.sources:
                value = source.get(key)
                if value is not None and value != "":
                    return key, value
        return "", None

    def value(self, *keys: str) -> Any:
        return self.find(*keys)[1]

    def text(self, *keys: str, limit: int = 255) -> str | None:
        key, value = self.find(*keys)
        return text(value, key, limit)

    def ident(self, name: str, *keys: str) -> str | None:
        """An identifier: longer than its column is an error, not cut."""
        key, value = self.find(*(keys or (name,)))
        return text(value, key, LIMITS[name], strict=True)

    def integer(self, *keys: str) -> int | None:
        key, value = self.find(*keys)
        return integer(value, key)

    def time(self, name: str, stamp_name: str, flow_name: str) -> datetime | None:
        """`<name>_uepoch`, `<name>_epoch`, the callflow's `<flow_name>` (µs), then `<stamp_name>`."""
        key, value = self.find(f"{name}_uepoch", f"{name}_epoch", flow_name, stamp_name)
        if key == stamp_name:
            return stamp(value, key)
        return epoch(value, key, 1 if key.endswith("_epoch") and not key.endswith("_uepoch") else US)

    def microseconds(self, name: str, flow_name: str) -> int | None:
        """A moment that has no datetime field (progress, progress_media) in µs; 0 if it never came."""
        key, value = self.find(f"{name}_uepoch", flow_name, f"{name}_epoch")
        found = number(value, key)
        if found is None:
            return None
        return round(found * (US if key.endswith("_epoch") and not key.endswith("_uepoch") else 1))


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _us(moment: datetime | None) -> int | None:
    return None if moment is None else round(moment.timestamp() * US)


def _ms(microseconds: int | None) -> int | None:
    if microseconds is None or microseconds < 0:
        return None
    return min(round(microseconds / 1000), 2**31 - 1)


def parse_cdr(body: bytes, content_type: str | None, query_uuid: str | None = None) -> CdrRecord:
    """One CDR as mod_json_cdr posts it; CdrError (with a `reason`) if it cannot be read."""
    document = decode_values(load_object(document_bytes(body, content_type)))
    doc = _Document(document)
    uuid = doc.ident("uuid") or text(query_uuid, "?uuid", LIMITS["uuid"], strict=True)
    if uuid is None:
        raise CdrError("no uuid: not in variables, the document, its callflow, nor ?uuid=")
    if not UUID.fullmatch(uuid):
        raise CdrError(f"uuid: {uuid[:70]!r} is not a call uuid")

    start_at = doc.time("start", "start_stamp", "created_time")
    answer_at = doc.time("answer", "answer_stamp", "answered_time")
    end_at = doc.time("end", "end_stamp", "hangup_time")
    start, answer, end = _us(start_at), _us(answer_at), _us(end_at)
    duration = doc.integer("duration")
    if duration is None:
        duration = (_ms(end - start) or 0) // 1000 if start and end else 0
    billsec = doc.integer("billsec")
    if billsec is None:
        billsec = (_ms(end - answer) or 0) // 1000 if answer and end else 0

    hangup_cause, q850, sip_status = _causes(doc)
    queue = doc.ident("queue", "cc_queue", "queue")
    agent_id = doc.ident("agent_id", "cc_agent", "agent_id")
    agent_bridged = _bridged(doc, agent_id is not None and answer_at is not None)
    channel_data = _object(document.get("channel_data"))
    original = doc.variables.get("destination_number") or doc.original.get("destination_number")
    return CdrRecord(
        uuid=uuid,
        call_id=doc.text("sip_call_id", "call_id"),
        direction=doc.text("direction", limit=16) or text(channel_data.get("direction"), "direction", 16),
        node=doc.text("switchname", "node"),
        start_at=start_at,
        answer_at=answer_at,
        end_at=end_at,
        duration_s=duration,
        billsec_s=billsec,
        progress_ms=_progress_ms(doc, start),
        early_media_ms=_early_media_ms(doc, answer or end),
        hangup_cause=hangup_cause,
        q850=q850,
        sip_status=sip_status,
        caller_id_name=doc.text("caller_id_name", "origination_caller_id_name", "effective_caller_id_name"),
        caller_id_number=doc.text(
            "caller_id_number", "origination_caller_id_number", "effective_caller_id_number", limit=64
        ),
        # The number dialled: the oldest callflow profile's (a transfer adds a newer one in front).
        destination_number=text(original or doc.top.get("destination_number"), "destination_number", 64),
        campaign_id=doc.ident("campaign_id"),
        list_id=doc.ident("list_id"),
        lead_id=doc.ident("lead_id"),
        trunk_id=doc.ident("trunk_id", "trunk_id", "sip_gateway_name"),
        queue=queue,
        agent_id=agent_id,
        agent_bridged=agent_bridged,
        queue_cancel_reason=doc.text("cc_cancel_reason", "queue_cancel_reason", limit=64),
        queue_wait_ms=_queue_wait_ms(doc),
        recording_url=doc.text("recording_url", "cc_record_filename", limit=1024),
        amd_label=amd_label(doc.text("amd_result"), doc.text("amd_label"), flag(doc.value("avmd_detect")) is True),
        amd_confidence=confidence(doc.value("amd_confidence")),
        amd_latency_ms=doc.integer("amd_latency_ms"),
        amd_audit=flag(doc.value("dialer_amd_audit")) is True,
        tone=_tone(doc),
        network_addr=doc.text("network_addr", "sip_network_ip", limit=64),
        read_codec=doc.text("read_codec", limit=32),
        write_codec=doc.text("write_codec", limit=32),
        raw=document,
    )


def _causes(doc: _Document) -> tuple[str | None, int | None, int | None]:
    """(Q.850 name, Q.850 number, SIP status) from hangup_cause, hangup_cause_q850, sip_term_status,
    sip_invite_failure_status, proto_specific_hangup_cause (sip:486), sip_status, sip_hangup_cause."""
    name = doc.text("hangup_cause", limit=64)
    name = name.upper() if name else None
    q850 = doc.integer("hangup_cause_q850")
    sip: int | None = None
    for key in ("sip_term_status", "sip_invite_failure_status", "sip_status"):
        sip = _sip(doc.value(key), key)
        if sip is not None:
            break
    proto = doc.text("proto_specific_hangup_cause", limit=64)
    if sip is None and proto and proto.lower().startswith("sip:"):
        sip = _sip(proto[4:], "proto_specific_hangup_cause")
    contract = integer(doc.value("sip_hangup_cause"), "sip_hangup_cause", 0, 699)
    if contract is not None:
        if contract >= 100:
            sip = sip if sip is not None else contract
        elif q850 is None:
            q850 = contract
    if name is None:
        name = _CAUSE_NAMES.get(q850) if q850 is not None else SIP_TO_CAUSE.get(sip) if sip else None
    if q850 is None and name is not None:
        q850 = Q850.get(name)
    return name, q850, sip


def _sip(value: Any, key: str) -> int | None:
    return integer(value, key, 100, 699)


def _bridged(doc: _Document, answered_by_agent: bool) -> bool:
    """mod_callcenter's cc_agent_bridged if set; else a bridge happened (bridge variables,
    bridge_uepoch, the callflow's bridged_time); else, in the flat layout, an answered call with an
    agent_id."""
    explicit = flag(doc.value("cc_agent_bridged", "agent_bridged"))
    if explicit is not None:
        return explicit
    if doc.value("last_bridge_to", "bridge_uuid", "bridge_to", "signal_bridge_to"):
        return True
    key, since = doc.find("bridge_uepoch", "bridge_epoch", "bridged_time")
    if number(since, key):
        return True
    return doc.flat and answered_by_agent


def _progress_ms(doc: _Document, start: int | None) -> int | None:
    """PDD: our progress_ms if given; else FreeSWITCH's progressmsec / progress_mediamsec, the
    progress(_media) moments less the start, or progresssec / progress_mediasec (the first 18x wins)."""
    given = doc.integer("progress_ms")
    if given is not None:
        return given
    msec = [ms for ms in (doc.integer("progressmsec"), doc.integer("progress_mediamsec")) if ms]
    if msec:
        return min(msec)
    ringing = doc.microseconds("progress", "progress_time")
    media = doc.microseconds("progress_media", "progress_media_time")
    moments = [us for us in (ringing, media) if us]
    if start and moments:
        return _ms(min(moments) - start)
    seconds = [s for s in (doc.integer("progresssec"), doc.integer("progress_mediasec")) if s]
    return min(seconds) * 1000 if seconds else None


def _early_media_ms(doc: _Document, until: int | None) -> int | None:
    given = doc.integer("early_media_ms")
    if given is not None:
        return given
    media = doc.microseconds("progress_media", "progress_media_time")
    if media == 0:
        return 0
    return _ms(until - media) if media and until else None


def _queue_wait_ms(doc: _Document) -> int | None:
    """mod_callcenter's cc_queue_joined_epoch to answered / canceled / terminated (seconds)."""
    joined = number(doc.value("cc_queue_joined_epoch"), "cc_queue_joined_epoch")
    if not joined:
        return doc.integer("queue_wait_ms")
    key, left = doc.find("cc_queue_answered_epoch", "cc_queue_canceled_epoch", "cc_queue_terminated_epoch")
    left = number(left, key)
    return _ms(round((left - joined) * US)) if left else None


def _tone(doc: _Document) -> str | None:
    """FAX or SIT: a detected tone (the simulator's detected_tone, or a `tone` given), fax_detected
    (mod_spandsp only fires DETECTED_TONE: have execute_on_fax_detect set it), or a fax session's
    fax_result_code / fax_success (spandsp rxfax/txfax ran on the call)."""
    found = tone_label(doc.text("detected_tone", "tone", limit=64))
    if found:
        return found
    if flag(doc.value("fax_detected")) or doc.value("fax_result_code", "fax_success") is not None:
        return "FAX"
    return None
