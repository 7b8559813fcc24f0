"""Calling windows: may this lead be called now, and if not, why and from when. Pure.

The engine loop asks `CallingRules.check(lead, now)`, or `check_many` for a batch (leads are grouped
by zone and states, so the calendar work is done once per group), and gets a `Verdict`: allowed
(with `open_until`, so a caller may cache a group's verdict until then), or a stable reason code and
`next_open`, the first instant it may call. Reasons, the first that applies: `state_closed` (an
operator closed the state, e.g. a Louisiana state of emergency), `holiday`, `closed_day` (the law
bars the weekday, e.g. Sundays in Alabama), `outside_hours`, `campaign_window` (the law allows it,
the campaign's own window does not), `state_attempt_limit` (FL, OK, MD: 3 calls per 24 h).

Open means every window is open on the lead's local clock: the federal one (8:00-21:00), the rules
of the lead's state and of its number's area code (FL, OK and CT presume a call to their area codes
reaches a resident), and the campaign's. `LEGAL` is the table of state rules, cited row by row in
docs/compliance.md: data, so an operator with counsel may replace it.

The clock is the lead's IANA zone; else every zone of its state, all of which must be open (the
importer stores no zone for a state that spans several: a guess could put the call outside the
legal hours in the other zone); else the campaign's fallback zones (default: contiguous US).
`STATE_ZONES` copies the `us` package's data that dialer.graphql.geography reads, because the
engine imports nothing outside dialer.engine; tests/engine_rules keeps the copy equal to `us`. A
rule may name a fixed clock too: Mississippi's hours are in "Central Standard Time", so they must
also hold on Etc/GMT+6 (in summer that leaves 9:00-20:00 CDT).

Holidays are named rules (fixed date, nth weekday, Easter-relative) on local dates; a fixed date also
closes the weekday it may be observed on (Friday for a Saturday, Monday for a Saturday or Sunday),
whichever convention the state uses. `extra_holidays` adds the days a governor declares.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Span = tuple[int, int]  # minutes after local midnight, [start, end); end may be 1440
HORIZON_DAYS = 16  # how far ahead next_open is looked for: two weeks of holidays and weekends
DAY = timedelta(hours=24)


@dataclass(frozen=True)
class WeeklyHours:
    """One span per weekday (Monday first); None: no calls that day."""

    days: tuple[Span | None, ...]

    @classmethod
    def parse(cls, spec: str) -> WeeklyHours:
        """Every day ("08:00-20:00") or by weekday ("mon-fri 09:00-18:00, sat 10:00-14:00"; days left out
        are closed). 24:00 ends a span at midnight."""
        if " " not in spec.strip():
            return cls((_span(spec),) * 7)
        days: list[Span | None] = [None] * 7
        for part in spec.split(","):
            names, hours = part.split()
            first, _, last = names.lower().partition("-")
            for i in range(DAY_NAMES.index(first), DAY_NAMES.index(last or first) + 1):
                days[i] = _span(hours)
        return cls(tuple(days))

    def at(self, weekday: int) -> Span | None:
        return self.days[weekday]

    def __and__(self, other: WeeklyHours) -> WeeklyHours:
        return WeeklyHours(tuple(_both(a, b) for a, b in zip(self.days, other.days, strict=True)))


def _span(text: str) -> Span:
    start, end = (int(h) * 60 + int(m) for h, m in (part.split(":") for part in text.split("-")))
    if not 0 <= start < end <= 1440:
        raise ValueError(f"not a span within a day: {text!r}")
    return start, end


def _both(a: Span | None, b: Span | None) -> Span | None:
    if a is None or b is None or max(a[0], b[0]) >= min(a[1], b[1]):
        return None
    return max(a[0], b[0]), min(a[1], b[1])


ALWAYS = WeeklyHours.parse("00:00-24:00")


@dataclass(frozen=True)
class Holiday:
    month: int
    day: int | None = None  # a fixed date, observed on a weekday when it falls on a weekend
    weekday: int | None = None  # with nth: the nth such weekday of the month; nth=-1 is the last
    nth: int = 1
    after: int = 0  # days after the weekday rule (the Tuesday after the first Monday...)
    easter: int | None = None  # days from Easter Sunday (Good Friday -2, Mardi Gras -47)


MON, THU = 0, 3
HOLIDAYS: Mapping[str, Holiday] = MappingProxyType({
    "new_year": Holiday(1, 1), "mlk": Holiday(1, weekday=MON, nth=3), "washington": Holiday(2, weekday=MON, nth=3),
    "memorial": Holiday(5, weekday=MON, nth=-1), "juneteenth": Holiday(6, 19), "independence": Holiday(7, 4),
    "labor": Holiday(9, weekday=MON, nth=1), "columbus": Holiday(10, weekday=MON, nth=2),
    "veterans": Holiday(11, 11), "thanksgiving": Holiday(11, weekday=THU, nth=4), "christmas": Holiday(12, 25),
    "battle_of_new_orleans": Holiday(1, 8), "robert_e_lee": Holiday(1, 19), "mardi_gras": Holiday(0, easter=-47),
    "good_friday": Holiday(0, easter=-2), "confederate_memorial": Holiday(4, weekday=MON, nth=4),
    "ri_independence": Holiday(5, 4), "jefferson_davis": Holiday(6, weekday=MON, nth=1), "flag_day": Holiday(6, 14),
    "pioneer_day": Holiday(7, 24), "victory_day": Holiday(8, weekday=MON, nth=2), "all_saints": Holiday(11, 1),
    "election_day": Holiday(11, weekday=MON, nth=1, after=1), "rosa_parks": Holiday(12, 1),
    "day_after_thanksgiving": Holiday(11, weekday=THU, nth=4, after=1),
})  # fmt: skip
FEDERAL_HOLIDAYS = (
    *("new_year", "mlk", "washington", "memorial", "juneteenth", "independence"),
    *("labor", "columbus", "veterans", "thanksgiving", "christmas"),
)


@dataclass(frozen=True)
class LegalRule:
    state: str  # "US" for the federal rule
    hours: WeeklyHours
    holidays: tuple[str, ...] = ()  # HOLIDAYS names on which no call may be made
    per_24h: int | None = None  # most calls to one person in any rolling 24 h
    clock_zone: str | None = None  # the hours must also hold on this fixed clock
    effective: date | None = None  # applied from this UTC date: a few hours early in the US, never late
    source: str = ""


# state, hours, no-call holidays ("federal" = FEDERAL_HOLIDAYS), calls per 24 h, fixed clock, in force
# from, source. docs/compliance.md cites each row and says which were read in the statute's text.
_M_S = "mon-sat 08:00-20:00"
_ROWS = (
    ("US", "08:00-21:00", "", None, None, None, "47 CFR 64.1200(c)(1); 16 CFR 310.4(c)"),
    ("FL", "08:00-20:00", "", 3, None, "2021-07-01", "Fla. Stat. 501.616(6)"),
    ("OK", "08:00-20:00", "", 3, None, "2022-11-01", "15 O.S. 775C.4"),
    ("MD", "08:00-20:00", "", 3, None, "2024-01-01", "Md. Code, Com. Law 14-4502"),
    ("WA", "08:00-20:00", "", None, None, None, "RCW 19.158.040(2)"),
    ("MA", "08:00-20:00", "", None, None, None, "201 CMR 12.02(2)"),
    ("CT", "09:00-20:00", "", None, None, "2023-10-01", "Conn. Gen. Stat. 42-288a (P.A. 23-98)"),
    ("NM", "09:00-21:00", "", None, None, None, "NMSA 57-12-22(B)(5)"),
    ("TX", "mon-sat 09:00-21:00, sun 12:00-21:00", "", None, None, None, "Tex. Bus. & Com. Code 301.051"),
    ("UT", "mon-sat 08:00-21:00", "federal pioneer_day", None, None, None, "Utah Code 13-25a-103(3)"),
    ("AL", _M_S, "federal mardi_gras confederate_memorial jefferson_davis rosa_parks", None, None, None,
     "Ala. Admin. Code r. 770-X-5-.17(1)(b)"),
    ("LA", _M_S, "federal battle_of_new_orleans robert_e_lee mardi_gras good_friday all_saints "
     "day_after_thanksgiving", None, None, None, "La. R.S. 45:811; LPSC General Order R-29617"),
    ("MS", _M_S, "", None, "Etc/GMT+6", None, "Miss. Code 77-3-723(1)"),
    ("RI", "mon-fri 09:00-18:00, sat 10:00-17:00", "federal ri_independence victory_day election_day", None, None,
     None, "R.I. Gen. Laws 5-61-2(2), 5-61-3.6"),
    ("PA", "08:00-21:00", "federal good_friday flag_day election_day", None, None, "2019-12-03",
     "73 P.S. 2245(a)(10)"),
    # Secondary sources only (vendors' state compliance tables); the statutes' text was not read.
    ("KY", "10:00-21:00", "", None, None, None, "secondary"),
    ("MI", "09:00-21:00", "", None, None, None, "secondary"),
    ("MN", "09:00-21:00", "", None, None, None, "secondary"),
    ("NV", "09:00-20:00", "", None, None, None, "secondary"),
)  # fmt: skip


def _legal_rule(row: tuple) -> LegalRule:
    state, hours, holidays, per_24h, clock, effective, source = row
    names = tuple(n for word in holidays.split() for n in (FEDERAL_HOLIDAYS if word == "federal" else (word,)))
    when = date.fromisoformat(effective) if effective else None
    return LegalRule(state, WeeklyHours.parse(hours), names, per_24h, clock, when, source)


LEGAL: Mapping[str, LegalRule] = MappingProxyType({row[0]: _legal_rule(row) for row in _ROWS})

# From `us` 4.0.0 (us.states.lookup(code).time_zones), the data dialer.graphql.geography reads.
_ZONES = """
AK: America/Anchorage America/Adak
FL MI: America/New_York America/Chicago
ID: America/Denver America/Los_Angeles
IN: America/Chicago America/Indiana/Indianapolis America/Indianapolis America/Indiana/Winamac
    America/Indiana/Vincennes America/Indiana/Vevay America/Indiana/Tell_City America/Indiana/Petersburg
    America/Indiana/Marengo America/Indiana/Knox America/Knox_IN America/New_York
KS NE SD TX: America/Chicago America/Denver
KY: America/Chicago America/New_York America/Kentucky/Louisville America/Kentucky/Monticello
ND: America/Chicago America/Denver America/North_Dakota/Beulah America/North_Dakota/Center
    America/North_Dakota/New_Salem
NV: America/Los_Angeles America/Denver
OR: America/Los_Angeles America/Boise
TN: America/Chicago America/New_York
CT DC DE GA MA MD ME NC NH NJ NY OH PA RI SC VA VT WV: America/New_York
AL AR IA IL LA MN MO MS OK WI: America/Chicago
CO MT NM UT WY: America/Denver
CA WA: America/Los_Angeles
AZ: America/Phoenix
HI: Pacific/Honolulu
AS: Pacific/Samoa
GU MP: Pacific/Guam
PR VI: America/Puerto_Rico
"""
STATE_ZONES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        state: tuple(zones.split())
        for line in _ZONES.replace("\n    ", " ").strip().splitlines()
        for states, zones in [line.split(":")]
        for state in states.split()
    }
)
CONTIGUOUS_US = ("America/New_York", "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles")


@dataclass(frozen=True)
class CampaignWindow:
    """The campaign's own window, on the lead's local clock; it can only narrow the law's."""

    hours: WeeklyHours = ALWAYS
    closed_dates: frozenset[date] = frozenset()
    per_24h: int | None = None


@dataclass(frozen=True)
class LeadWindowInput:
    zone: str | None
    state: str | None
    area_code_state: str | None = None  # the state of the number's area code, when the caller knows it
    recent_attempts: tuple[datetime, ...] = ()  # calls to this person on this subject, any order


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: str | None = None
    next_open: datetime | None = None  # when not allowed: first instant it may be; None: not within HORIZON_DAYS
    open_until: datetime | None = None  # when allowed: the end of the open stretch


Interval = tuple[datetime, datetime]


@dataclass(frozen=True)
class _Gate:
    zone: ZoneInfo
    hours: WeeklyHours
    holidays: tuple[str, ...]
    closed: frozenset[date]
    legal: bool  # False: the campaign's window


@dataclass(frozen=True)
class _Group:
    reason: str | None  # why closed at `now`, attempts aside
    intervals: tuple[Interval, ...]  # open stretches from the day before now to the horizon
    per_24h: int | None


@dataclass(frozen=True)
class CallingRules:
    campaign: CampaignWindow = CampaignWindow()
    legal: Mapping[str, LegalRule] = field(default_factory=lambda: LEGAL)
    state_zones: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: STATE_ZONES)
    fallback_zones: tuple[str, ...] = CONTIGUOUS_US
    extra_holidays: Mapping[str, frozenset[date]] = field(default_factory=dict)  # state -> local dates
    closed_states: frozenset[str] = frozenset()
    # A lead with no state: only the federal rule and its area code's state apply, unless this is set,
    # which applies every row of `legal` (Sunday and holiday bans included).
    strict_unknown_state: bool = False

    def check(self, lead: LeadWindowInput, now: datetime) -> Verdict:
        return self.check_many([lead], now)[0]

    def check_many(self, leads: Iterable[LeadWindowInput], now: datetime) -> list[Verdict]:
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        now = now.astimezone(UTC)
        groups: dict[tuple[str | None, str | None, str | None], _Group | None] = {}
        out = []
        for lead in leads:
            key = (lead.zone, lead.state, lead.area_code_state)
            if key not in groups:
                groups[key] = self._group(lead, now)
            group = groups[key]
            out.append(Verdict(False, "state_closed") if group is None else _verdict(group, lead.recent_attempts, now))
        return out

    def zones_for(self, lead: LeadWindowInput) -> tuple[ZoneInfo, ...]:
        for names in (
            (lead.zone,) if lead.zone else (),
            self.state_zones.get(lead.state or "", ()),
            self.fallback_zones,
        ):
            found = tuple(dict.fromkeys(z for z in map(_zone, names) if z is not None))
            if found:
                return found
        raise ValueError("no valid time zone: fallback_zones is empty or invalid")

    def rules_for(self, lead: LeadWindowInput, today: date) -> tuple[LegalRule, ...]:
        if lead.state is None and self.strict_unknown_state:
            rules = tuple(self.legal.values())
        else:
            states = dict.fromkeys(s for s in ("US", lead.state, lead.area_code_state) if s)
            rules = tuple(self.legal[s] for s in states if s in self.legal)
        return tuple(r for r in rules if r.effective is None or r.effective <= today)

    def _group(self, lead: LeadWindowInput, now: datetime) -> _Group | None:
        if {lead.state, lead.area_code_state} & self.closed_states:
            return None
        rules = self.rules_for(lead, now.date())
        gates = []
        for zone in self.zones_for(lead):
            gates.append(_Gate(zone, self.campaign.hours, (), self.campaign.closed_dates, legal=False))
            gates.append(self._legal_gate(zone, rules))
        gates += [self._legal_gate(ZoneInfo(r.clock_zone), (r,)) for r in rules if r.clock_zone]
        reasons = [r for r in (_closed_reason(g, now) for g in gates) if r]
        reason = min(reasons, key=REASONS.index) if reasons else None
        start = now - DAY
        intervals: list[Interval] | None = None
        for gate in gates:
            mine = _open_intervals(gate, start, HORIZON_DAYS + 1)
            intervals = mine if intervals is None else _intersect(intervals, mine)
        limits = [n for n in (*(r.per_24h for r in rules), self.campaign.per_24h) if n is not None]
        return _Group(reason, tuple(intervals or ()), min(limits) if limits else None)

    def _legal_gate(self, zone: ZoneInfo, rules: tuple[LegalRule, ...]) -> _Gate:
        hours = ALWAYS
        for rule in rules:
            hours &= rule.hours
        holidays = tuple(dict.fromkeys(h for r in rules for h in r.holidays))
        closed = frozenset().union(*(self.extra_holidays.get(r.state, frozenset()) for r in rules))
        return _Gate(zone, hours, holidays, closed, legal=True)


REASONS = ("state_closed", "holiday", "closed_day", "outside_hours", "campaign_window", "state_attempt_limit")


def _verdict(group: _Group, attempts: tuple[datetime, ...], now: datetime) -> Verdict:
    ok_from = _attempts_ok_from(attempts, group.per_24h, now)
    if group.reason is None and ok_from is None:
        until = next((end for start, end in group.intervals if start <= now < end), None)
        return Verdict(True, open_until=until)
    start = max(now, ok_from or now)
    next_open = next((max(s, start) for s, e in group.intervals if e > start), None)
    return Verdict(False, group.reason or "state_attempt_limit", next_open)


def _attempts_ok_from(attempts: tuple[datetime, ...], limit: int | None, now: datetime) -> datetime | None:
    """None when another call is within the limit now; else when one is (the oldest call that must
    leave the rolling 24 h has left it)."""
    if limit is None:
        return None
    recent = sorted(a for a in (t.astimezone(UTC) for t in attempts) if now - DAY < a <= now)
    return recent[-limit] + DAY if len(recent) >= limit else None


def _closed_reason(gate: _Gate, now: datetime) -> str | None:
    local = now.astimezone(gate.zone)
    today = local.date()
    if today in gate.closed or (gate.holidays and today in _holiday_dates(gate.holidays, today.year)):
        return "holiday" if gate.legal else "campaign_window"
    span = gate.hours.at(today.weekday())
    if span is None:
        return "closed_day" if gate.legal else "campaign_window"
    minute = local.hour * 60 + local.minute
    if span[0] <= minute < span[1]:
        return None
    return "outside_hours" if gate.legal else "campaign_window"


def _open_intervals(gate: _Gate, start: datetime, days: int) -> list[Interval]:
    """The gate's open stretches (UTC) on each local date from `start`'s for `days` days, merged
    where one ends as the next begins (a window open across midnight)."""
    first = start.astimezone(gate.zone).date()
    out: list[Interval] = []
    for offset in range(days + 1):
        day = first + timedelta(days=offset)
        span = gate.hours.at(day.weekday())
        if span is None or day in gate.closed or (gate.holidays and day in _holiday_dates(gate.holidays, day.year)):
            continue
        lo, hi = (_utc(day, minutes, gate.zone) for minutes in span)
        if out and out[-1][1] >= lo:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def _utc(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    # fold=0: a time the fall-back hour repeats is read as its first occurrence, one that the
    # spring-forward hour skips as if the clock had not moved yet; US windows start and end far from 2:00.
    local = datetime.combine(day, time()) + timedelta(minutes=minutes)
    return local.replace(tzinfo=zone).astimezone(UTC)


def _intersect(a: list[Interval], b: list[Interval]) -> list[Interval]:
    out, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if lo < hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


@cache
def _zone(name: str | None) -> ZoneInfo | None:
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


@cache
def _holiday_dates(names: tuple[str, ...], year: int) -> frozenset[date]:
    """The named holidays of `year`, with the weekdays fixed dates may be observed on; the next
    year's New Year's Day may be observed on this year's December 31."""
    out: set[date] = set()
    for y in (year, year + 1):
        for name in names:
            out |= holiday_dates(HOLIDAYS[name], y)
    return frozenset(d for d in out if d.year == year)


def holiday_dates(holiday: Holiday, year: int) -> set[date]:
    if holiday.easter is not None:
        return {easter(year) + timedelta(days=holiday.easter)}
    if holiday.day is not None:
        day = date(year, holiday.month, holiday.day)
        observed = {5: (-1, 2), 6: (1,)}.get(day.weekday(), ())  # Sat: Fri and Mon; Sun: Mon
        return {day, *(day + timedelta(days=n) for n in observed)}
    assert holiday.weekday is not None
    if holiday.nth > 0:
        first = date(year, holiday.month, 1)
        day = first + timedelta(days=(holiday.weekday - first.weekday()) % 7 + 7 * (holiday.nth - 1))
    else:
        last = date(year + holiday.month // 12, holiday.month % 12 + 1, 1) - timedelta(days=1)
        day = last - timedelta(days=(last.weekday() - holiday.weekday) % 7)
    return {day + timedelta(days=holiday.after)}


def easter(year: int) -> date:
    """Western Easter Sunday (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return date(year, month, day + 1)
