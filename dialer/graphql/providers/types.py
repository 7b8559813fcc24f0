"""Provider (trunk) types and inputs, under the contract's names."""

from __future__ import annotations

from datetime import datetime

import strawberry

from dialer.graphql.scalars import SipHistogram
from dialer.graphql.validation import constrained
from dialer.models import Provider as ProviderRow

# The sofia gateway name: it appears in dial strings (sofia/gateway/<name>/...) and trunk policies.
# "health" is not a name: /providers/health is the health route.
NAME = {"minLength": 1, "maxLength": 64, "pattern": "^(?!health$)[A-Za-z0-9_.-]+$"}
# A host name, IPv4, [IPv6], optionally :port.
HOST = {"minLength": 1, "maxLength": 255, "pattern": r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?$"}
CODEC = {"minLength": 1, "maxLength": 32, "pattern": "^[A-Za-z0-9.@/_-]+$"}
CODECS = {"minItems": 1, "maxItems": 16, "uniqueItems": True, "items": CODEC}
ROUTE = {"minLength": 1, "maxLength": 32, "pattern": "^[A-Za-z0-9 _.-]*[A-Za-z0-9_.-][A-Za-z0-9 _.-]*$"}
MAX_CPS = {"minimum": 1, "maximum": 10_000}
PHONE = {"minLength": 3, "maxLength": 40, "pattern": "^[+0-9(][0-9 ().+/-]*$"}
TIMEOUT = {"minimum": 1, "maximum": 120}


@strawberry.type
class Provider:
    id: strawberry.ID = strawberry.field(description="The gateway's name (gw_main).")
    name: str
    host: str
    codecs: list[str]
    route: str
    max_cps: int
    enabled: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: ProviderRow) -> Provider:
        return cls(
            id=strawberry.ID(row.name),
            name=row.name,
            host=row.host,
            codecs=list(row.codecs),
            route=row.route,
            max_cps=row.max_cps,
            enabled=row.enabled,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


@strawberry.type(
    description="A trunk's last 5 minutes: asr5m and cps from its live window (its kpi.tick's figures); "
    "PDD, SIP statuses and the SIT and fax shares from its CDRs."
)
class ProviderHealth:
    id: strawberry.ID
    asr5m: float = strawberry.field(
        description="Answered / attempts over 5 minutes, each attempt counted at its fate (the kpi.tick asr5m)."
    )
    pdd_ms: int | None = strawberry.field(description="Mean post-dial delay (to the first 180/183), ms.")
    cps: float = strawberry.field(description="Calls started per second over the last 10 s (the trunk's kpi.tick cps).")
    cps_max: int
    sip: SipHistogram = strawberry.field(description="Final SIP status of the unanswered calls -> count.")
    sit_pct: float = strawberry.field(description="Share (0-1) of calls that met a special information tone.")
    fax_pct: float = strawberry.field(description="Share (0-1) of calls answered by a fax.")
    calls5m: int = strawberry.field(description="CDRs that ended in the last 5 minutes: the SIT and fax shares' base.")
    enabled: bool


@strawberry.type
class ProviderHealthList:
    items: list[ProviderHealth]


@strawberry.type(description="What a test call through the trunk did.")
class ProbeResult:
    id: strawberry.ID
    number: str
    node: str | None
    answered: bool
    sip_status: int | None
    pdd_ms: int | None
    hangup_cause: str
    q850: int | None
    duration_ms: int


@strawberry.input
class ProviderInput:
    name: str = constrained("The sofia gateway name, also the provider's id (gw_main).", **NAME)
    host: str = constrained("The carrier's SIP proxy: host or IP, optional :port.", **HOST)
    codecs: list[str] = constrained("Offered in this order.", **CODECS)
    route: str = constrained("The route class (CLI, non-CLI...).", "CLI", **ROUTE)
    max_cps: int = constrained("Most new calls per second the carrier accepts.", 10, **MAX_CPS)
    enabled: bool = True


@strawberry.input(description="Only the fields to change.")
class ProviderPatch:
    name: str | None = constrained(
        "Renames the gateway (campaign trunk policies keep the old name).", strawberry.UNSET, **NAME
    )
    host: str | None = constrained(None, strawberry.UNSET, **HOST)
    codecs: list[str] | None = constrained(None, strawberry.UNSET, **CODECS)
    route: str | None = constrained(None, strawberry.UNSET, **ROUTE)
    max_cps: int | None = constrained(None, strawberry.UNSET, **MAX_CPS)
    enabled: bool | None = strawberry.UNSET


@strawberry.input
class ProbeInput:
    number: str = constrained("The number to call, any format; dialled as E.164 digits.", **PHONE)
    timeout_sec: int = constrained("Ring at most this long.", 20, **TIMEOUT)
