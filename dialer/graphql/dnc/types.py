"""Do-not-call entries and checks."""

from __future__ import annotations

from datetime import datetime

import strawberry

from dialer.graphql.validation import constrained
from dialer.models import DncNumber as DncRow

CAMPAIGN_ID = {"minLength": 5, "maxLength": 32, "pattern": "^cmp_[0-9]{1,18}$"}
# Shape only; whether it is a valid number is phonenumbers' call (a 400 names the field).
PHONE = {"minLength": 7, "maxLength": 40, "pattern": "^[+0-9(][0-9 ().+/-]*$"}


@strawberry.type
class DncEntry:
    phone: str = strawberry.field(description="E.164.")
    campaign_id: str | None = strawberry.field(description="Null for the global list.")
    reason: str | None
    created_by: str
    created_at: datetime

    @classmethod
    def of(cls, row: DncRow) -> DncEntry:
        return cls(
            phone=row.phone,
            campaign_id=None if row.scope == "global" else row.scope,
            reason=row.reason,
            created_by=row.created_by,
            created_at=row.created_at,
        )


@strawberry.type
class DncCheck:
    phone: str
    blocked: bool = strawberry.field(description="True when the global list or the campaign's own has it.")
    global_: bool = strawberry.field(name="global")
    campaign: bool


@strawberry.type
class DncRemoval:
    phone: str
    removed: bool


@strawberry.type
class DncBulkResult:
    added: int
    already_present: int
    invalid: list[str] = strawberry.field(description="Entries that are no valid phone number, as sent.")


@strawberry.input
class DncInput:
    phone: str = constrained("Any format phonenumbers reads; stored as E.164.", **PHONE)
    campaign_id: str | None = constrained(
        "Only for this campaign; omit for the global list.", strawberry.UNSET, **CAMPAIGN_ID
    )
    reason: str | None = constrained("Why, for the record.", strawberry.UNSET, maxLength=200)


@strawberry.input
class DncBulkInput:
    phones: list[str] = constrained("Up to 10,000 numbers.", maxItems=10_000)
    campaign_id: str | None = constrained(
        "Only for this campaign; omit for the global list.", strawberry.UNSET, **CAMPAIGN_ID
    )
    reason: str | None = constrained("Why, for the record.", strawberry.UNSET, maxLength=200)
