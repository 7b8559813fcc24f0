"""A lead's lifecycle: its states, what a disposition does to it, and when it may be dialled next.

States: new -> in_progress (dialled) -> retry_due | callback | done | dnc. A disposition may land on
any lead that is not final (done, dnc): agents also record calls made by hand, and the engine's
CDR path records dialled ones. Each disposition counts one attempt. Per-disposition retry rules
(cooldownMin, maxAttempts) decide between retry_due and done; CALLBACK schedules a callback; SALE
is final; DNC is final and blocks the number.

Everything here is pure: the caller passes `now` and persists the returned `Outcome`.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta


class LeadState(str, enum.Enum):
    new = "new"
    in_progress = "in_progress"
    retry_due = "retry_due"
    callback = "callback"
    done = "done"
    dnc = "dnc"


class Disposition(str, enum.Enum):
    # What an agent records (POST /leads/{id}/disposition), and the CDR path for calls without one.
    SALE = "SALE"
    CALLBACK = "CALLBACK"
    NOANSWER = "NOANSWER"
    BUSY = "BUSY"
    VOICEMAIL = "VOICEMAIL"
    DNC = "DNC"
    # Recorded only by the CDR path (dialer.engine.outcomes says which call ends as which).
    HUMAN = "HUMAN"
    ABANDONED = "ABANDONED"
    REJECTED = "REJECTED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"
    FAX = "FAX"
    SIT = "SIT"
    INVALID = "INVALID"


AGENT_DISPOSITIONS = (
    Disposition.SALE,
    Disposition.CALLBACK,
    Disposition.NOANSWER,
    Disposition.BUSY,
    Disposition.VOICEMAIL,
    Disposition.DNC,
)
# The number cannot reach a person: a fax line, a special information tone, a number that does not exist.
UNREACHABLE = frozenset({Disposition.FAX, Disposition.SIT, Disposition.INVALID})
FINAL = frozenset({LeadState.done, LeadState.dnc})
RETRYABLE = (
    Disposition.NOANSWER,
    Disposition.BUSY,
    Disposition.VOICEMAIL,
    Disposition.ABANDONED,
    Disposition.REJECTED,
    Disposition.FAILED,
    Disposition.CANCELLED,
)
# Hopper order: callbacks first, then retries, then new leads.
PRIORITY = {LeadState.callback: 0, LeadState.retry_due: 1, LeadState.new: 2}
NOT_DIALABLE = 9


@dataclass(frozen=True)
class RetryRule:
    cooldown_min: int | None = None
    max_attempts: int | None = None
    # CALLBACK only: when a callback disposition does not say when.
    scheduled_at: datetime | None = None


# Used for a disposition the list's rules do not mention.
DEFAULT_RULES: Mapping[Disposition, RetryRule] = {
    Disposition.NOANSWER: RetryRule(cooldown_min=60, max_attempts=3),
    Disposition.BUSY: RetryRule(cooldown_min=15, max_attempts=3),
    Disposition.VOICEMAIL: RetryRule(cooldown_min=1440, max_attempts=2),
    Disposition.CALLBACK: RetryRule(cooldown_min=60),
    # A person answered and no agent was free: call back soon, but not endlessly.
    Disposition.ABANDONED: RetryRule(cooldown_min=10, max_attempts=3),
    Disposition.REJECTED: RetryRule(cooldown_min=60, max_attempts=3),
    # The trunk or network failed, not the number: retry soon.
    Disposition.FAILED: RetryRule(cooldown_min=5, max_attempts=5),
    Disposition.CANCELLED: RetryRule(cooldown_min=1, max_attempts=10),
}


class InvalidTransition(ValueError):
    """The lead's state does not allow this step."""


class MissingSchedule(ValueError):
    """A CALLBACK with no time of its own and no rule that gives one."""


@dataclass(frozen=True)
class Outcome:
    state: LeadState
    next_attempt_at: datetime | None
    attempts_by_disposition: dict[str, int]

    @property
    def dialable(self) -> bool:
        return self.state in PRIORITY

    @property
    def priority(self) -> int:
        return PRIORITY.get(self.state, NOT_DIALABLE)


def rule_for(disposition: Disposition, rules: Mapping[Disposition, RetryRule]) -> RetryRule:
    return rules.get(disposition) or DEFAULT_RULES.get(disposition) or RetryRule()


def after_disposition(
    state: LeadState,
    disposition: Disposition,
    attempts_by_disposition: Mapping[str, int],
    rules: Mapping[Disposition, RetryRule],
    now: datetime,
    scheduled_at: datetime | None = None,
) -> Outcome:
    if state in FINAL:
        raise InvalidTransition(f"the lead is {state.value}; a {disposition.value} cannot follow")
    counts = dict(attempts_by_disposition)
    counts[disposition.value] = counts.get(disposition.value, 0) + 1
    if disposition is Disposition.SALE:
        return Outcome(LeadState.done, None, counts)
    if disposition is Disposition.DNC:
        return Outcome(LeadState.dnc, None, counts)
    if disposition in UNREACHABLE:
        return Outcome(LeadState.done, None, counts)
    if disposition is Disposition.HUMAN:
        raise InvalidTransition("HUMAN is not a disposition: the agent records what the call came to")
    rule = rule_for(disposition, rules)
    if disposition is Disposition.CALLBACK:
        when = scheduled_at or (rule.scheduled_at if rule.scheduled_at and rule.scheduled_at > now else None)
        if when is None and rule.cooldown_min is not None:
            when = now + timedelta(minutes=rule.cooldown_min)
        if when is None:
            raise MissingSchedule("a CALLBACK needs scheduledAt (no retry rule gives a default)")
        return Outcome(LeadState.callback, when, counts)
    if rule.max_attempts is not None and counts[disposition.value] >= rule.max_attempts:
        return Outcome(LeadState.done, None, counts)
    return Outcome(LeadState.retry_due, now + timedelta(minutes=rule.cooldown_min or 0), counts)


def dialled(state: LeadState) -> LeadState:
    """The hopper hands the lead to a call."""
    if state not in PRIORITY:
        raise InvalidTransition(f"a {state.value} lead cannot be dialled")
    return LeadState.in_progress
