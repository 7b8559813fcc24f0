"""Campaign types and inputs. Constraints on input fields are the API's validation rules."""

from __future__ import annotations

import enum
from datetime import datetime

import strawberry
from strawberry import UNSET

from dialer.graphql.scalars import TrunkCaps, TrunkWeights
from dialer.graphql.validation import NOT_BLANK, constrained
from dialer.models import Campaign as CampaignRow


@strawberry.enum(description="How the campaign paces calls.")
class CampaignType(enum.Enum):
    predictive = "predictive"
    progressive = "progressive"
    preview = "preview"
    power = "power"


@strawberry.enum(description="Lifecycle: created paused; paused <-> running; either -> stopped (final).")
class CampaignStatus(enum.Enum):
    paused = "paused"
    running = "running"
    stopped = "stopped"


@strawberry.enum(description="Answering-machine detection: none, mod_amd (voice), mod_avmd (beep), or both.")
class AmdEngine(enum.Enum):
    none = "none"
    amd = "amd"
    avmd = "avmd"
    hybrid = "hybrid"


@strawberry.type
class TrunkPolicy:
    weights: TrunkWeights
    caps: TrunkCaps


AUDIT_SHARE_TEXT = (
    "Our extension: the share of AMD machine verdicts sent to an agent anyway, whose disposition "
    "(VOICEMAIL or not) measures how often AMD hangs up on people; 0 (default) audits none."
)
DROP_LOCKOUT_TEXT = (
    "Our extension: no redial of a lead within this many hours of a call of it that was abandoned; 0: off."
)


@strawberry.type
class Amd:
    engine: AmdEngine
    min_confidence: float
    window_ms: int
    detect_fax: bool
    detect_sit: bool = strawberry.field(name="detectSIT")
    audit_share: float = strawberry.field(description=AUDIT_SHARE_TEXT)


@strawberry.type
class Predictive:
    target_occupancy: float
    aht_sec: int


@strawberry.type
class Campaign:
    id: strawberry.ID
    name: str
    type: CampaignType
    list_id: str
    queue: str
    trunk_policy: TrunkPolicy
    pacing: float
    max_channels: int
    abandon_cap: float
    calling_hours: str | None = strawberry.field(
        description="The campaign's own window on the lead's local clock; it only narrows the law's."
    )
    drop_lockout_hours: int = strawberry.field(description=DROP_LOCKOUT_TEXT)
    amd: Amd
    predictive: Predictive
    status: CampaignStatus
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: CampaignRow) -> Campaign:
        return cls(
            id=strawberry.ID(row.public_id),
            name=row.name,
            type=CampaignType(row.type),
            list_id=row.list_id,
            queue=row.queue,
            trunk_policy=TrunkPolicy(weights=row.trunk_policy["weights"], caps=row.trunk_policy["caps"]),
            pacing=row.pacing,
            max_channels=row.max_channels,
            abandon_cap=row.abandon_cap,
            calling_hours=row.calling_hours,
            drop_lockout_hours=row.drop_lockout_hours,
            amd=Amd(
                engine=AmdEngine(row.amd["engine"]),
                min_confidence=row.amd["minConfidence"],
                window_ms=row.amd["windowMs"],
                detect_fax=row.amd["detectFax"],
                detect_sit=row.amd["detectSIT"],
                audit_share=row.amd.get("auditShare", 0.0),
            ),
            predictive=Predictive(target_occupancy=row.predictive["targetOccupancy"], aht_sec=row.predictive["ahtSec"]),
            status=CampaignStatus(row.status),
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


@strawberry.type(
    description="How often AMD was wrong, over the law's abandon window, from the audited calls "
    "(amd.auditShare): docs/compliance.md, 'AMD that hangs up on people'."
)
class AmdAccuracy:
    machine_verdicts: int = strawberry.field(description="Calls AMD called a machine.")
    audited: int = strawberry.field(description="Of those, the ones sent to an agent anyway.")
    judged: int = strawberry.field(description="Audited calls an agent has recorded a disposition for.")
    humans: int = strawberry.field(description="Judged calls that were people (any disposition but VOICEMAIL).")
    humans_hung_up: int | None = strawberry.field(
        description="Estimated people AMD hung up on: the machine verdicts not audited, times humans / judged; "
        "null until an audited call is judged."
    )
    machines_passed: int = strawberry.field(
        description="Human verdicts an agent found to be a machine (dispositioned VOICEMAIL)."
    )


@strawberry.type(description="Live figures of a campaign; definitions in the README, 'Live figures'.")
class CampaignRuntime:
    status: CampaignStatus
    pacing: float
    asr5m: float
    acd: float
    cps: float
    cc: int
    abandon60s: float
    abandon_rate: float = strawberry.field(
        description="Abandoned / live answers as the law counts it: over the campaign's life, or the last 30 days."
    )
    live_answers: int = strawberry.field(description="The live answers abandonRate is counted over.")
    amd_accuracy: AmdAccuracy = strawberry.field(description="Our extension: AMD's errors, from its audits.")
    reason: str | None = strawberry.field(
        description="Why a running campaign places no call now (no agent, no lead in its calling hours, "
        "trunks at their caps, no FreeSWITCH node...); null while it dials."
    )


# Each rule once; the create and the patch inputs share them.
NAME = {"minLength": 1, "maxLength": 200, "pattern": NOT_BLANK}
REF = {"minLength": 1, "maxLength": 100, "pattern": NOT_BLANK}
PACING = {"exclusiveMinimum": 0, "maximum": 100}
MAX_CHANNELS = {"minimum": 1, "maximum": 100_000}
ABANDON_CAP = {"exclusiveMinimum": 0, "maximum": 1}
CONFIDENCE = {"minimum": 0, "maximum": 1}
WINDOW_MS = {"minimum": 1, "maximum": 60_000}
OCCUPANCY = {"exclusiveMinimum": 0, "maximum": 1}
AUDIT_SHARE = {"minimum": 0, "maximum": 0.5}
DROP_LOCKOUT = {"minimum": 0, "maximum": 720}
AHT_SEC = {"minimum": 1, "maximum": 86_400}
_DAY = "(mon|tue|wed|thu|fri|sat|sun)"
_SPAN = "([01][0-9]|2[0-3]):[0-5][0-9]-(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)"
_DAYS_SPAN = f"{_DAY}(-{_DAY})? {_SPAN}"
CALLING_HOURS = {"maxLength": 200, "pattern": f"^({_SPAN}|{_DAYS_SPAN}(, {_DAYS_SPAN})*)$"}
CALLING_HOURS_OR_EMPTY = {"maxLength": 200, "pattern": f"^({_SPAN}|{_DAYS_SPAN}(, {_DAYS_SPAN})*)?$"}


@strawberry.input
class TrunkPolicyInput:
    weights: TrunkWeights = strawberry.field(description="Share of calls per trunk; the trunks this campaign uses.")
    caps: TrunkCaps = strawberry.field(
        default_factory=dict,
        description="Concurrent-call cap per trunk; a trunk without one is limited by maxChannels.",
    )


@strawberry.input
class AmdInput:
    engine: AmdEngine = AmdEngine.hybrid
    min_confidence: float = constrained("Below this the call is labelled UNKNOWN.", 0.7, **CONFIDENCE)
    window_ms: int = constrained("How long AMD listens after answer.", 900, **WINDOW_MS)
    detect_fax: bool = True
    detect_sit: bool = strawberry.field(default=True, name="detectSIT")
    audit_share: float = constrained(AUDIT_SHARE_TEXT, 0.0, **AUDIT_SHARE)


@strawberry.input
class PredictiveInput:
    target_occupancy: float = constrained("Share of agent time to keep busy.", 0.85, **OCCUPANCY)
    aht_sec: int = constrained("Average handle time to plan with until measured.", 240, **AHT_SEC)


@strawberry.input
class CampaignCreateInput:
    name: str = constrained("Shown to supervisors.", **NAME)
    type: CampaignType
    list_id: str = constrained("The lead list to dial (lst_...).", **REF)
    queue: str = constrained("The mod_callcenter queue answered humans go to.", **REF)
    trunk_policy: TrunkPolicyInput
    pacing: float = constrained("Lines per agent (power, preview) or starting ratio (predictive).", 1.0, **PACING)
    max_channels: int = constrained("Most concurrent calls of this campaign.", 50, **MAX_CHANNELS)
    abandon_cap: float = constrained("Largest abandoned share of live answers allowed.", 0.03, **ABANDON_CAP)
    calling_hours: str | None = constrained(
        "Our extension: the campaign's calling window on the lead's clock, e.g. 'mon-fri 09:00-18:00, "
        "sat 10:00-14:00' or '09:00-20:00' (every day); it only narrows the legal hours.",
        UNSET,
        **CALLING_HOURS,
    )
    drop_lockout_hours: int = constrained(DROP_LOCKOUT_TEXT, 0, **DROP_LOCKOUT)
    amd: AmdInput = strawberry.field(default_factory=AmdInput)
    predictive: PredictiveInput = strawberry.field(default_factory=PredictiveInput)


@strawberry.input
class TrunkPolicyPatch:
    weights: TrunkWeights | None = strawberry.field(default=UNSET, description="Replaces the whole map.")
    caps: TrunkCaps | None = strawberry.field(default=UNSET, description="Replaces the whole map.")


@strawberry.input
class AmdPatch:
    engine: AmdEngine | None = UNSET
    min_confidence: float | None = constrained(None, UNSET, **CONFIDENCE)
    window_ms: int | None = constrained(None, UNSET, **WINDOW_MS)
    detect_fax: bool | None = UNSET
    detect_sit: bool | None = strawberry.field(default=UNSET, name="detectSIT")
    audit_share: float | None = constrained(None, UNSET, **AUDIT_SHARE)


@strawberry.input
class PredictivePatch:
    target_occupancy: float | None = constrained(None, UNSET, **OCCUPANCY)
    aht_sec: int | None = constrained(None, UNSET, **AHT_SEC)


@strawberry.input(description="Only the fields to change; nested objects merge one level deep.")
class CampaignPatchInput:
    name: str | None = constrained(None, UNSET, **NAME)
    type: CampaignType | None = UNSET
    list_id: str | None = constrained(None, UNSET, **REF)
    queue: str | None = constrained(None, UNSET, **REF)
    trunk_policy: TrunkPolicyPatch | None = UNSET
    pacing: float | None = constrained(None, UNSET, **PACING)
    max_channels: int | None = constrained(None, UNSET, **MAX_CHANNELS)
    abandon_cap: float | None = constrained(None, UNSET, **ABANDON_CAP)
    calling_hours: str | None = constrained("An empty string removes the window.", UNSET, **CALLING_HOURS_OR_EMPTY)
    drop_lockout_hours: int | None = constrained(None, UNSET, **DROP_LOCKOUT)
    amd: AmdPatch | None = UNSET
    predictive: PredictivePatch | None = UNSET
