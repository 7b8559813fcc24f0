"""Types and inputs of lists, leads, retry rules, dispositions and import jobs."""

from __future__ import annotations

import enum
from datetime import datetime

import strawberry

from dialer.engine.leads import AGENT_DISPOSITIONS
from dialer.engine.leads import Disposition as DispositionValue
from dialer.graphql.scalars import JSON
from dialer.graphql.validation import NOT_BLANK, constrained
from dialer.models import ImportJob as ImportRow
from dialer.models import Lead as LeadRow
from dialer.models import LeadAttempt as AttemptRow

LeadStatus = strawberry.enum(
    enum.Enum("LeadStatus", {s: s for s in ("new", "in_progress", "retry_due", "callback", "done", "dnc")}),
    description="new -> in_progress -> retry_due | callback | done | dnc (done and dnc are final).",
)
Disposition = strawberry.enum(
    DispositionValue,
    description="What an attempt came to. SALE, CALLBACK, NOANSWER, BUSY, VOICEMAIL and DNC are recorded by agents "
    "(and the first few by CDRs); HUMAN, ABANDONED, REJECTED, FAILED, CANCELLED, FAX, SIT and INVALID only by CDRs.",
)
AgentDisposition = strawberry.enum(
    enum.Enum("AgentDisposition", {d.value: d.value for d in AGENT_DISPOSITIONS}),
    description="What an agent may record.",
)


@strawberry.type(description="How many leads of the list are in each state.")
class LeadCounts:
    total: int
    new: int
    in_progress: int
    retry_due: int
    callback: int
    done: int
    dnc: int


@strawberry.type
class RetryRule:
    cooldown_min: int | None
    max_attempts: int | None


@strawberry.type
class CallbackRule:
    scheduled_at: datetime | None
    cooldown_min: int | None


@strawberry.type(description="Per disposition: wait cooldownMin, give up after maxAttempts.")
class RetryRules:
    NOANSWER: RetryRule | None
    BUSY: RetryRule | None
    VOICEMAIL: RetryRule | None
    CALLBACK: CallbackRule | None


@strawberry.type
class RetryRuleSet:
    rules: RetryRules


def retry_rule_set(stored: dict) -> RetryRuleSet:
    def rule(name: str) -> RetryRule | None:
        found = stored.get(name)
        return (
            RetryRule(cooldown_min=found.get("cooldownMin"), max_attempts=found.get("maxAttempts")) if found else None
        )

    callback = stored.get("CALLBACK")
    return RetryRuleSet(
        rules=RetryRules(
            NOANSWER=rule("NOANSWER"),
            BUSY=rule("BUSY"),
            VOICEMAIL=rule("VOICEMAIL"),
            CALLBACK=CallbackRule(
                scheduled_at=datetime.fromisoformat(callback["scheduledAt"]) if callback.get("scheduledAt") else None,
                cooldown_min=callback.get("cooldownMin"),
            )
            if callback
            else None,
        )
    )


COOLDOWN = {"minimum": 0, "maximum": 525_600}
MAX_ATTEMPTS = {"minimum": 1, "maximum": 100}


@strawberry.input
class RetryRuleInput:
    cooldown_min: int | None = constrained("Minutes before the next attempt.", strawberry.UNSET, **COOLDOWN)
    max_attempts: int | None = constrained(
        "Attempts with this disposition after which the lead is done.", strawberry.UNSET, **MAX_ATTEMPTS
    )


@strawberry.input
class CallbackRuleInput:
    scheduled_at: datetime | None = strawberry.field(
        default=strawberry.UNSET, description="Default time of a CALLBACK that names none (ignored once past)."
    )
    cooldown_min: int | None = constrained("Else: minutes after the disposition.", strawberry.UNSET, **COOLDOWN)


@strawberry.input
class RetryRulesInput:
    NOANSWER: RetryRuleInput | None = strawberry.UNSET
    BUSY: RetryRuleInput | None = strawberry.UNSET
    VOICEMAIL: RetryRuleInput | None = strawberry.UNSET
    CALLBACK: CallbackRuleInput | None = strawberry.UNSET


@strawberry.input(description="Replaces all of the list's retry rules.")
class RetryRuleSetInput:
    rules: RetryRulesInput


@strawberry.input
class ListInput:
    name: str = constrained("Shown to supervisors.", minLength=1, maxLength=200, pattern=NOT_BLANK)


@strawberry.type
class LeadAttempt:
    at: datetime
    campaign_id: str | None
    disposition: Disposition
    notes: str | None
    scheduled_at: datetime | None
    source: str
    actor: str

    @classmethod
    def of(cls, row: AttemptRow) -> LeadAttempt:
        return cls(
            at=row.at,
            campaign_id=row.campaign_id,
            disposition=DispositionValue(row.disposition),
            notes=row.notes,
            scheduled_at=row.scheduled_at,
            source=row.source,
            actor=row.actor,
        )


@strawberry.type
class Lead:
    id: strawberry.ID
    list_id: str
    phone: str
    alt_phone1: str | None
    alt_phone2: str | None
    first_name: str | None
    last_name: str | None
    state: str | None
    timezone: str | None
    zip: str | None
    notes: str | None
    status: LeadStatus  # type: ignore[valid-type]
    attempts: int
    next_attempt_at: datetime | None = strawberry.field(description="When it may be dialled next; null if never.")
    last_disposition: Disposition | None
    created_at: datetime
    updated_at: datetime
    key: strawberry.Private[int]

    @strawberry.field(description="Its attempts, newest first (at most `last`, up to 500).")
    async def history(self, last: int) -> list[LeadAttempt]:
        rows = await AttemptRow.filter(lead_id=self.key).order_by("-at", "-id").limit(max(0, min(last, 500)))
        return [LeadAttempt.of(row) for row in rows]

    @classmethod
    def of(cls, row: LeadRow) -> Lead:
        return cls(
            id=strawberry.ID(row.public_id),
            list_id=f"lst_{row.list_id}",
            phone=row.phone,
            alt_phone1=row.alt_phone1,
            alt_phone2=row.alt_phone2,
            first_name=row.first_name,
            last_name=row.last_name,
            state=row.state,
            timezone=row.timezone,
            zip=row.zip,
            notes=row.notes,
            status=LeadStatus(row.status),
            attempts=row.attempts,
            next_attempt_at=row.next_attempt_at if row.dialable else None,
            last_disposition=DispositionValue(row.last_disposition) if row.last_disposition else None,
            created_at=row.created_at,
            updated_at=row.updated_at,
            key=row.id,
        )


@strawberry.input
class DispositionInput:
    campaign_id: str = constrained("The campaign the call was made for (cmp_...).", minLength=1, maxLength=32)
    disposition: AgentDisposition
    notes: str | None = constrained("Free text from the agent.", strawberry.UNSET, maxLength=2000)
    scheduled_at: datetime | None = strawberry.field(
        default=strawberry.UNSET, description="CALLBACK only: when to call back (else the list's CALLBACK rule)."
    )


@strawberry.type
class ImportJob:
    id: strawberry.ID
    list_id: str
    filename: str
    status: str = strawberry.field(description="queued, running, cancelling, done, failed or cancelled.")
    progress_pct: float = strawberry.field(description="Share of the file read, 0-100.")
    total: int = strawberry.field(description="Rows read so far (all of them once done).")
    accepted: int = strawberry.field(description="Rows stored as leads (DNC hits included, stored not dialable).")
    rejected: int
    rejected_by_reason: JSON
    duplicates: int
    dnc_hits: int
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def of(cls, row: ImportRow) -> ImportJob:
        done = row.status == "done" or (row.bytes_total and row.bytes_done >= row.bytes_total)
        share = 100.0 if done else (100.0 * row.bytes_done / row.bytes_total if row.bytes_total else 0.0)
        return cls(
            id=strawberry.ID(row.public_id),
            list_id=f"lst_{row.list_id}",
            filename=row.filename,
            status=row.status,
            progress_pct=round(share, 1),
            total=row.rows_done,
            accepted=row.accepted,
            rejected=row.rejected,
            rejected_by_reason=row.rejected_by_reason,
            duplicates=row.duplicates,
            dnc_hits=row.dnc_hits,
            error=row.error,
            created_at=row.created_at,
            started_at=row.started_at,
            finished_at=row.finished_at,
        )


@strawberry.type
class ImportReject:
    row: int = strawberry.field(description="1 is the first row after the header.")
    reason: str
    line: str = strawberry.field(description="The row as read, as one CSV line.")
