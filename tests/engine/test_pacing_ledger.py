"""dialer.engine.pacing_ledger: abandoned / live answers over the campaign's life, then 30 rolling days."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from dialer.engine.pacing_ledger import AbandonLedger

DAY0 = date(2025, 3, 1)


def test_life_of_a_young_campaign() -> None:
    ledger = AbandonLedger()
    assert ledger.rate(DAY0) == 0.0
    ledger.record(DAY0, humans=100, abandoned=2)
    ledger.record(DAY0 + timedelta(days=3), humans=100, abandoned=4)
    assert ledger.window(DAY0 + timedelta(days=3)) == (200, 6)
    assert ledger.rate(DAY0 + timedelta(days=3)) == pytest.approx(0.03)
    assert ledger.life_days(DAY0 + timedelta(days=3)) == 4


def test_rolling_thirty_days() -> None:
    ledger = AbandonLedger()
    for n in range(40):
        ledger.record(DAY0 + timedelta(days=n), humans=100, abandoned=n % 5)
    today = DAY0 + timedelta(days=39)
    humans, abandoned = ledger.window(today)
    assert humans == 30 * 100  # days 10..39
    assert abandoned == sum(n % 5 for n in range(10, 40))
    # days that left the window are gone
    assert min(ledger.days) == DAY0 + timedelta(days=10)
    # the window that ends on day 45 (no dials since day 39) holds days 16..39
    assert ledger.window(DAY0 + timedelta(days=45))[0] == 24 * 100


def test_before_leaves_today_out() -> None:
    ledger = AbandonLedger()
    ledger.record(DAY0, humans=50, abandoned=1)
    ledger.record(DAY0 + timedelta(days=1), humans=10, abandoned=3)
    assert ledger.before(DAY0 + timedelta(days=1)) == (50, 1)


def test_round_trip_and_validation() -> None:
    ledger = AbandonLedger()
    ledger.record(DAY0, humans=7, abandoned=1)
    copy = AbandonLedger.from_dict(ledger.to_dict())
    assert copy.days == ledger.days
    assert copy.started == DAY0
    with pytest.raises(ValueError):
        ledger.record(DAY0, humans=1, abandoned=2)
