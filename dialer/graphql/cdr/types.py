"""CDR types: the intake receipt, a stored CDR, and a refused post kept in the dead-letter store."""

from __future__ import annotations

from datetime import datetime

import strawberry

from dialer.models import Cdr as CdrRow
from dialer.models import CdrDeadLetter as DeadLetterRow


@strawberry.type(description="What POST /cdr did with a CDR.")
class CdrReceipt:
    uuid: str
    stored: bool = strawberry.field(description="False when this uuid was already stored (a retry): nothing changed.")
    duplicate: bool
    outcome: str = strawberry.field(description="How the call ended: HUMAN, ABANDONED, VOICEMAIL, FAX, SIT, BUSY, ...")
    disposition: str | None = strawberry.field(description="The disposition recorded on the lead, if any.")
    lead_id: str | None
    note: str | None = strawberry.field(description="Why no attempt was recorded on the lead, when none was.")


@strawberry.type
class Cdr:
    uuid: str
    call_id: str | None
    direction: str | None
    node: str | None
    campaign_id: str | None
    list_id: str | None
    lead_id: str | None
    trunk_id: str | None
    queue: str | None
    agent_id: str | None
    start_at: datetime | None
    answer_at: datetime | None
    end_at: datetime
    duration: int
    billsec: int
    progress_ms: int | None
    early_media_ms: int | None
    queue_wait_ms: int | None
    hangup_cause: str | None
    q850: int | None
    sip_status: int | None
    caller_id_name: str | None
    caller_id_number: str | None
    destination_number: str | None
    recording_url: str | None
    amd_label: str | None
    amd_confidence: float | None
    amd_latency_ms: int | None
    outcome: str
    disposition: str | None
    network_addr: str | None
    read_codec: str | None
    write_codec: str | None
    received_at: datetime

    @classmethod
    def of(cls, row: CdrRow) -> Cdr:
        values = {name: getattr(row, name) for name in cls.__annotations__ if hasattr(row, name)}
        return cls(**values, duration=row.duration_s, billsec=row.billsec_s)


@strawberry.type(description="A CDR post refused as malformed, kept whole with the reason.")
class CdrDeadLetter:
    id: strawberry.ID
    received_at: datetime
    client_ip: str | None
    content_type: str | None
    query_uuid: str | None
    reason: str
    body: str

    @classmethod
    def of(cls, row: DeadLetterRow) -> CdrDeadLetter:
        return cls(
            id=strawberry.ID(f"cdl_{row.id}"),
            received_at=row.received_at,
            client_ip=row.client_ip,
            content_type=row.content_type,
            query_uuid=row.query_uuid,
            reason=row.reason,
            body=row.body,
        )
