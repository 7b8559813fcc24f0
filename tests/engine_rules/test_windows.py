"""Calling windows: legal hours per state, campaign windows, zones, daylight saving, holidays, attempts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import us

from dialer.engine.windows import (
    HOLIDAYS,
    LEGAL,
    STATE_ZONES,
    CallingRules,
    CampaignWindow,
    LeadWindowInput,
    WeeklyHours,
    easter,
)

RULES = CallingRules()
NY, CHI, DEN = "America/New_York", "America/Chicago", "America/Denver"
PHX, LA = "America/Phoenix", "America/Los_Angeles"


def at(zone: str, y: int, mo: int, d: int, h: int, mi: int = 0) -> datetime:
    """A local wall-clock time, as the UTC instant the engine passes."""
    return datetime(y, mo, d, h, mi, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def lead(zone: str | None = None, state: str | None = None, **kw: object) -> LeadWindowInput:
    return LeadWindowInput(zone, state, **kw)  # type: ignore[arg-type]


# 2025-01-15 is a Wednesday.
@pytest.mark.parametrize(
    ("zone", "state", "hour", "minute", "allowed"),
    [
        (NY, "NY", 7, 59, False),
        (NY, "NY", 8, 0, True),
        (NY, "NY", 20, 59, True),
        (NY, "NY", 21, 0, False),
        (CHI, "IL", 8, 0, True),
        (CHI, "IL", 7, 30, False),
        (LA, "CA", 20, 30, True),
        (LA, "CA", 21, 5, False),
        ("Pacific/Honolulu", "HI", 8, 15, True),
        ("America/Anchorage", "AK", 6, 0, False),
    ],
)
def test_default_hours_in_the_leads_zone(zone: str, state: str, hour: int, minute: int, allowed: bool) -> None:
    verdict = RULES.check(lead(zone, state), at(zone, 2025, 1, 15, hour, minute))
    assert verdict.allowed is allowed
    assert verdict.reason == (None if allowed else "outside_hours")


def test_next_open_and_open_until_are_the_window_edges() -> None:
    early = RULES.check(lead(NY, "NY"), at(NY, 2025, 1, 15, 7, 10))
    assert early.next_open == at(NY, 2025, 1, 15, 8)
    late = RULES.check(lead(NY, "NY"), at(NY, 2025, 1, 15, 22))
    assert late.next_open == at(NY, 2025, 1, 16, 8)  # across midnight
    open_ = RULES.check(lead(NY, "NY"), at(NY, 2025, 1, 15, 12))
    assert open_.allowed and open_.open_until == at(NY, 2025, 1, 15, 21)


@pytest.mark.parametrize(("zone", "state"), [(NY, "FL"), (CHI, "OK"), (LA, "WA"), (NY, "MD"), (NY, "MA")])
def test_states_that_stop_at_8_pm(zone: str, state: str) -> None:
    assert RULES.check(lead(zone, state), at(zone, 2025, 1, 15, 19, 59)).allowed
    verdict = RULES.check(lead(zone, state), at(zone, 2025, 1, 15, 20, 30))
    assert (verdict.allowed, verdict.reason) == (False, "outside_hours")
    assert verdict.next_open == at(zone, 2025, 1, 16, 8)
    assert RULES.check(lead(zone, "NY"), at(zone, 2025, 1, 15, 20, 30)).allowed  # same clock, federal rule


def test_other_stricter_states() -> None:
    assert not RULES.check(lead(NY, "CT"), at(NY, 2025, 1, 15, 8, 30)).allowed  # 9:00-20:00
    assert RULES.check(lead(DEN, "NM"), at(DEN, 2025, 1, 15, 20, 30)).allowed  # 9:00-21:00
    sunday = RULES.check(lead(CHI, "TX"), at(CHI, 2025, 1, 19, 10))  # Sundays from noon
    assert (sunday.reason, sunday.next_open) == ("outside_hours", at(CHI, 2025, 1, 19, 12))
    ri = RULES.check(lead(NY, "RI"), at(NY, 2025, 1, 18, 17, 30))  # Saturdays 10:00-17:00
    assert ri.reason == "outside_hours"
    assert ri.next_open == at(NY, 2025, 1, 21, 9)  # no Sundays, and Monday is Martin Luther King Jr. Day


def test_a_rule_is_not_applied_before_it_took_effect() -> None:
    # The effective date is compared with the UTC date: a law may apply a few hours early, never late.
    assert RULES.check(lead(NY, "FL"), at(NY, 2021, 6, 29, 20, 30)).allowed
    assert not RULES.check(lead(NY, "FL"), at(NY, 2021, 7, 1, 20, 30)).allowed


def test_the_area_codes_state_applies_too() -> None:
    verdict = RULES.check(lead(NY, "NY", area_code_state="FL"), at(NY, 2025, 1, 15, 20, 30))
    assert verdict.reason == "outside_hours"


def test_campaign_window_narrows_and_never_widens() -> None:
    rules = CallingRules(CampaignWindow(WeeklyHours.parse("mon-fri 09:00-18:00")))
    early = rules.check(lead(LA, "CA"), at(LA, 2025, 1, 15, 8, 30))
    assert (early.reason, early.next_open) == ("campaign_window", at(LA, 2025, 1, 15, 9))
    saturday = rules.check(lead(LA, "CA"), at(LA, 2025, 1, 18, 10))
    assert (saturday.reason, saturday.next_open) == ("campaign_window", at(LA, 2025, 1, 20, 9))
    assert rules.check(lead(LA, "CA"), at(LA, 2025, 1, 15, 17, 59)).open_until == at(LA, 2025, 1, 15, 18)
    wide = CallingRules(CampaignWindow(WeeklyHours.parse("06:00-23:00")))
    verdict = wide.check(lead(NY, "FL"), at(NY, 2025, 1, 15, 20, 30))
    assert verdict.reason == "outside_hours"  # the law's, reported before the campaign's
    closed = CallingRules(CampaignWindow(closed_dates=frozenset({date(2025, 1, 15)})))
    assert closed.check(lead(NY, "NY"), at(NY, 2025, 1, 15, 12)).next_open == at(NY, 2025, 1, 16, 8)


def test_multi_zone_state_without_a_zone_needs_every_zone_open() -> None:
    morning, evening = at(NY, 2025, 3, 10, 8, 30), at(NY, 2025, 3, 10, 19, 30)  # 7:30 and 18:30 in Chicago
    verdict = RULES.check(lead(None, "FL"), morning)
    assert (verdict.reason, verdict.next_open) == ("outside_hours", at(CHI, 2025, 3, 10, 8))
    assert RULES.check(lead(NY, "FL"), morning).allowed
    open_ = RULES.check(lead(None, "FL"), evening)
    assert open_.allowed and open_.open_until == at(NY, 2025, 3, 10, 20)  # Eastern closes first
    tx = RULES.check(lead(None, "TX"), at(CHI, 2025, 1, 15, 9, 30))  # 8:30 in El Paso
    assert tx.next_open == at(DEN, 2025, 1, 15, 9)


def test_an_unknown_zone_name_falls_back_to_the_states_zones() -> None:
    assert not RULES.check(lead("Mars/Olympus", "FL"), at(NY, 2025, 3, 10, 8, 30)).allowed


def test_no_state_no_zone_uses_the_fallback_zones() -> None:
    verdict = RULES.check(lead(), at(NY, 2025, 1, 15, 10))  # 7:00 in Los Angeles
    assert verdict.next_open == at(LA, 2025, 1, 15, 8)
    own = CallingRules(fallback_zones=(NY,))
    assert own.check(lead(), at(NY, 2025, 1, 15, 10)).allowed
    strict = CallingRules(fallback_zones=(NY,), strict_unknown_state=True)
    assert strict.check(lead(), at(NY, 2025, 1, 26, 10)).reason == "closed_day"  # some state bans Sundays


def test_spring_forward_new_york() -> None:
    # 2025-03-09: 2:00 EST becomes 3:00 EDT; 8:00 is 12:00 UTC that day, 13:00 UTC the day before.
    night = RULES.check(lead(NY, "NY"), at(NY, 2025, 3, 8, 22))
    assert night.next_open == datetime(2025, 3, 9, 12, tzinfo=UTC)
    assert not RULES.check(lead(NY, "NY"), datetime(2025, 3, 9, 11, 59, tzinfo=UTC)).allowed
    day = RULES.check(lead(NY, "NY"), datetime(2025, 3, 9, 12, tzinfo=UTC))
    assert day.allowed and day.open_until == datetime(2025, 3, 10, 1, tzinfo=UTC)  # 21:00 EDT
    assert not RULES.check(lead(NY, "NY"), datetime(2025, 3, 8, 12, 30, tzinfo=UTC)).allowed  # 7:30 EST


def test_fall_back_new_york() -> None:
    # 2025-11-02: 2:00 EDT becomes 1:00 EST.
    assert RULES.check(lead(NY, "NY"), datetime(2025, 11, 1, 12, 30, tzinfo=UTC)).allowed  # 8:30 EDT
    verdict = RULES.check(lead(NY, "NY"), datetime(2025, 11, 2, 12, 30, tzinfo=UTC))  # 7:30 EST
    assert verdict.next_open == datetime(2025, 11, 2, 13, tzinfo=UTC)
    evening = RULES.check(lead(NY, "NY"), datetime(2025, 11, 3, 1, 30, tzinfo=UTC))  # 20:30 EST
    assert evening.open_until == datetime(2025, 11, 3, 2, tzinfo=UTC)


@pytest.mark.parametrize("day", [date(2025, 1, 15), date(2025, 3, 8), date(2025, 3, 10), date(2025, 7, 1)])
def test_phoenix_has_no_daylight_saving(day: date) -> None:
    opens = datetime(day.year, day.month, day.day, 15, tzinfo=UTC)  # 8:00 MST all year
    assert RULES.check(lead(PHX, "AZ"), opens).allowed
    assert RULES.check(lead(PHX, "AZ"), opens - timedelta(minutes=1)).next_open == opens


def test_los_angeles_and_phoenix_share_a_clock_only_in_summer() -> None:
    assert RULES.check(lead(LA, "CA"), datetime(2025, 7, 1, 15, tzinfo=UTC)).allowed
    assert not RULES.check(lead(LA, "CA"), datetime(2025, 1, 15, 15, tzinfo=UTC)).allowed


def test_mississippi_hours_hold_on_central_standard_time() -> None:
    summer = RULES.check(lead(CHI, "MS"), at(CHI, 2025, 7, 1, 8, 30))  # 7:30 CST
    assert summer.next_open == at(CHI, 2025, 7, 1, 9)
    assert RULES.check(lead(CHI, "MS"), at(CHI, 2025, 1, 15, 8)).allowed
    sunday = RULES.check(lead(CHI, "MS"), at(CHI, 2025, 1, 19, 12))
    assert sunday.reason == "closed_day"


def test_sunday_and_holiday_bans_push_next_open_past_them() -> None:
    # Utah: Saturday evening before Memorial Day; Sunday and Monday closed.
    verdict = RULES.check(lead(DEN, "UT"), at(DEN, 2025, 5, 24, 21, 30))
    assert verdict.next_open == at(DEN, 2025, 5, 27, 8)
    assert RULES.check(lead(DEN, "UT"), at(DEN, 2025, 5, 26, 10)).reason == "holiday"
    assert RULES.check(lead(CHI, "AL"), at(CHI, 2025, 1, 19, 10)).reason == "closed_day"
    # Rhode Island, 2026: July 4 is a Saturday, observed Friday the 3rd (federal) and Monday the 6th (state).
    ri = RULES.check(lead(NY, "RI"), at(NY, 2026, 7, 2, 18, 30))
    assert ri.next_open == at(NY, 2026, 7, 7, 9)
    assert RULES.check(lead(NY, "NY"), at(NY, 2026, 7, 3, 10)).allowed  # no federal holiday ban


def test_moving_and_observed_holidays() -> None:
    assert RULES.check(lead(CHI, "LA"), at(CHI, 2025, 3, 4, 10)).reason == "holiday"  # Mardi Gras
    assert RULES.check(lead(NY, "PA"), at(NY, 2025, 4, 18, 10)).reason == "holiday"  # Good Friday
    assert RULES.check(lead(NY, "PA"), at(NY, 2025, 11, 4, 10)).reason == "holiday"  # Election Day
    assert RULES.check(lead(CHI, "AL"), at(CHI, 2027, 12, 24, 10)).reason == "holiday"  # Christmas is a Saturday
    assert RULES.check(lead(CHI, "AL"), at(CHI, 2027, 12, 31, 10)).reason == "holiday"  # so is New Year 2028
    assert RULES.check(lead(CHI, "AL"), at(CHI, 2027, 12, 30, 10)).allowed


def test_declared_holidays_and_closed_states() -> None:
    july3 = CallingRules(extra_holidays={"LA": frozenset({date(2023, 7, 3)})})
    assert july3.check(lead(CHI, "LA"), at(CHI, 2023, 7, 3, 10)).reason == "holiday"
    emergency = CallingRules(closed_states=frozenset({"LA"}))
    verdict = emergency.check(lead(CHI, "LA"), at(CHI, 2025, 1, 15, 10))
    assert (verdict.allowed, verdict.reason, verdict.next_open) == (False, "state_closed", None)


def test_three_calls_per_24_hours_in_florida() -> None:
    calls = tuple(at(NY, 2025, 1, 15, h) for h in (10, 11, 12))
    verdict = RULES.check(lead(NY, "FL", recent_attempts=calls), at(NY, 2025, 1, 15, 13))
    assert (verdict.reason, verdict.next_open) == ("state_attempt_limit", at(NY, 2025, 1, 16, 10))
    assert RULES.check(lead(NY, "FL", recent_attempts=calls[1:]), at(NY, 2025, 1, 15, 13)).allowed
    assert RULES.check(lead(NY, "FL", recent_attempts=calls), at(NY, 2025, 1, 16, 10)).allowed  # 24 h on
    assert RULES.check(lead(NY, "NY", recent_attempts=calls), at(NY, 2025, 1, 15, 13)).allowed


def test_attempt_limit_and_hours_together() -> None:
    calls = tuple(at(CHI, 2025, 1, 15, 19, m) for m in (50, 55, 58))
    verdict = RULES.check(lead(CHI, "OK", recent_attempts=calls), at(CHI, 2025, 1, 15, 20, 30))
    assert verdict.reason == "outside_hours"
    assert verdict.next_open == at(CHI, 2025, 1, 16, 19, 50)  # not 8:00: the calls must age out first
    capped = CallingRules(CampaignWindow(per_24h=1))
    one = capped.check(lead(NY, "NY", recent_attempts=(at(NY, 2025, 1, 15, 9),)), at(NY, 2025, 1, 15, 12))
    assert (one.reason, one.next_open) == ("state_attempt_limit", at(NY, 2025, 1, 16, 9))


def test_check_many_matches_check_lead_by_lead() -> None:
    leads = [lead(NY, "FL"), lead(None, "FL"), lead(NY, "FL"), lead(PHX, "AZ"), lead(None, None)]
    now = at(NY, 2025, 3, 10, 8, 30)
    assert RULES.check_many(leads, now) == [RULES.check(x, now) for x in leads]


def test_now_must_be_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        RULES.check(lead(NY, "NY"), datetime(2025, 1, 15, 12))


def test_weekly_hours_parse() -> None:
    hours = WeeklyHours.parse("mon-fri 09:00-18:00, sat 10:00-14:00")
    assert hours.at(0) == (540, 1080) and hours.at(5) == (600, 840) and hours.at(6) is None
    assert WeeklyHours.parse("00:00-24:00").at(3) == (0, 1440)
    assert (hours & WeeklyHours.parse("08:00-12:00")).at(5) == (600, 720)
    with pytest.raises(ValueError, match="span"):
        WeeklyHours.parse("18:00-09:00")


def test_state_zones_are_the_importers_data() -> None:
    states = [*us.states.STATES_AND_TERRITORIES, us.states.DC]
    assert {s.abbr: tuple(s.time_zones) for s in states} == dict(STATE_ZONES)


def test_the_legal_table_is_consistent() -> None:
    assert LEGAL["US"].hours == WeeklyHours.parse("08:00-21:00")
    for rule in LEGAL.values():
        assert set(rule.holidays) <= set(HOLIDAYS), rule.state
        assert rule.state == "US" or rule.state in STATE_ZONES
        assert rule.source
    assert {s for s, r in LEGAL.items() if r.per_24h == 3} == {"FL", "OK", "MD"}


def test_easter() -> None:
    assert [easter(y) for y in (2000, 2019, 2024, 2025, 2026, 2038)] == [
        date(2000, 4, 23),
        date(2019, 4, 21),
        date(2024, 3, 31),
        date(2025, 4, 20),
        date(2026, 4, 5),
        date(2038, 4, 25),
    ]
