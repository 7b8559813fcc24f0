"""The pure lead lifecycle (dialer.engine.leads), in simulated time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dialer.engine.leads import (
    Disposition,
    InvalidTransition,
    LeadState,
    MissingSchedule,
    RetryRule,
    after_disposition,
    dialled,
)

NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)


def test_retry_rules_decide_between_retry_and_done():
    rules = {Disposition.BUSY: RetryRule(cooldown_min=10, max_attempts=3)}
    counts: dict[str, int] = {}
    state = LeadState.new
    for attempt in range(1, 4):
        outcome = after_disposition(state, Disposition.BUSY, counts, rules, NOW)
        counts, state = outcome.attempts_by_disposition, outcome.state
        if attempt < 3:
            assert state is LeadState.retry_due and outcome.next_attempt_at == NOW + timedelta(minutes=10)
            assert outcome.dialable and outcome.priority == 1
    assert state is LeadState.done and not outcome.dialable and counts == {"BUSY": 3}


def test_caps_count_per_disposition():
    rules = {Disposition.NOANSWER: RetryRule(max_attempts=2), Disposition.BUSY: RetryRule(max_attempts=2)}
    outcome = after_disposition(LeadState.new, Disposition.NOANSWER, {}, rules, NOW)
    outcome = after_disposition(outcome.state, Disposition.BUSY, outcome.attempts_by_disposition, rules, NOW)
    assert outcome.state is LeadState.retry_due  # one of each, neither cap reached


def test_defaults_apply_when_the_list_has_no_rule():
    outcome = after_disposition(LeadState.new, Disposition.VOICEMAIL, {}, {}, NOW)
    assert outcome.next_attempt_at == NOW + timedelta(minutes=1440)


def test_callbacks():
    at = NOW + timedelta(hours=3)
    assert after_disposition(LeadState.in_progress, Disposition.CALLBACK, {}, {}, NOW, at).next_attempt_at == at
    rule = {Disposition.CALLBACK: RetryRule(scheduled_at=NOW + timedelta(days=1))}
    assert after_disposition(LeadState.new, Disposition.CALLBACK, {}, rule, NOW).next_attempt_at == NOW + timedelta(
        days=1
    )
    stale = {Disposition.CALLBACK: RetryRule(scheduled_at=NOW - timedelta(days=1))}
    with pytest.raises(MissingSchedule):
        after_disposition(LeadState.new, Disposition.CALLBACK, {}, stale, NOW)
    outcome = after_disposition(LeadState.new, Disposition.CALLBACK, {}, {}, NOW)
    assert outcome.priority == 0 and outcome.next_attempt_at == NOW + timedelta(minutes=60)


@pytest.mark.parametrize("final", [LeadState.done, LeadState.dnc])
def test_final_states_take_nothing(final):
    for disposition in Disposition:
        with pytest.raises(InvalidTransition):
            after_disposition(final, disposition, {}, {}, NOW)
    with pytest.raises(InvalidTransition):
        dialled(final)


def test_sale_and_dnc_are_final():
    assert after_disposition(LeadState.callback, Disposition.SALE, {}, {}, NOW).state is LeadState.done
    assert after_disposition(LeadState.retry_due, Disposition.DNC, {}, {}, NOW).state is LeadState.dnc


def test_only_dialable_states_can_be_dialled():
    for state in (LeadState.new, LeadState.retry_due, LeadState.callback):
        assert dialled(state) is LeadState.in_progress
    with pytest.raises(InvalidTransition):
        dialled(LeadState.in_progress)
