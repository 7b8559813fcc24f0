"""Live KPI windows: per scope (the whole dialer, each campaign, each trunk), the figures of the
contract's `kpi.tick` message, from the call events the app feeds in. Pure: the caller passes the
time and publishes what comes back.

    board = KpiBoard()
    board.record(Originated(t, campaign="cmp_1", trunk="gw_main"))   # and Answered, AmdLabel,
    ...                                                               # LiveAnswer, Ended
    for message in board.tick(time.monotonic(), time.time()):          # once a second, to /ws
        publish("kpi", message)
    board.snapshot("campaign", "cmp_1", time.monotonic())              # GET /campaigns/{id}/runtime
    board.snapshot("trunk", "gw_main", time.monotonic())               # GET /providers/health

Time: every `t` and `now` is in seconds on one clock that does not go back, time.monotonic() of the
process that feeds the board. `now_epoch` (time.time(), seconds) only stamps the message's `ts`,
in epoch milliseconds: ts = round(now_epoch * 1000). The windows' clock only moves on: a `now`
earlier than an event already recorded reads as of that event's second.

Definitions (README and the /ws docs copy this table; what answered, live answer and abandoned mean,
and the ratio and mean formulas, are dialer.engine.metrics', shared with the reports):

| field | definition | window |
|---|---|---|
| `asr5m` | answered / attempts, each attempt counted at its fate: `Answered`, or `Ended(answered=False)` | 300 s |
| `acd` | mean billsec of the answered calls that ended (`Ended(answered=True)`), in seconds | 300 s |
| `cps` | originates (`Originated`) in the 10 whole seconds before the current one, / 10 | 10 s |
| `cc` | calls up now: +1 per `Originated`, -1 per `Ended`, never below 0 | now |
| `abandon60s` | abandoned / live answers (`LiveAnswer`, counted at its verdict: bridged or abandoned) | 60 s |
| `humanRate` | AMD verdicts HUMAN (`AmdLabel`) / answered calls (`Answered`), at most 1 | 60 s |
| `amd` | AMD verdicts (`AmdLabel`) per label: HUMAN, VOICEMAIL, FAX, SIT, UNKNOWN | 60 s |
| `windowSec` | 60: the window of `abandon60s`, `humanRate` and `amd` | |

An unanswered end is any call that ends without an answer: no answer, busy, rejected, failed,
cancelled, and an originate that failed. A ratio whose denominator is 0 reads 0. Rates are
rounded to 4 decimals, `acd` to 1, `cps` to 2; `cc`, the `amd` counts, `windowSec` and `ts` are
integers. An event at `t` falls in second floor(t); an N-second window at `now` holds the seconds
floor(now) - N + 1 ... floor(now), so an event counts while floor(now) - floor(t) < N. `cps` leaves
out the current, partial second: a tick early in a second would otherwise miss the launches the
loop has yet to make in it.

Why these windows:

* ASR counts each attempt at its fate, not at its end: counting at the end would hold answered
  calls back by their talk time (minutes) and read ASR low while a campaign ramps up; counting at
  the originate would read the calls still ringing as unanswered. An attempt is in the numerator
  only with its own count in the denominator, so ASR cannot exceed 1.
* acd over 5 minutes: calls last minutes, and a 60 s window holds too few ends to mean much.
* cps over 10 s: the loop launches about once a second, so one second is all bursts; 10 s shows a
  ramp within 10 s (a 60 s average lags it by a minute).
* humanRate over answers, not over verdicts: an answered call hung up before AMD said anything did
  not reach a person. A verdict comes after its answer, so near the window's edge the ratio could
  pass 1; it is capped.

The board keeps no per-call state, so the app feeds each call's facts once: one `Originated` and
one `Ended` per call (a failed originate too: both, the `Ended` unanswered, or `cc` would drop a
call that is up), one `Answered` per answered call, one `AmdLabel` per answered call (its first
verdict; with AMD off, HUMAN), and one `LiveAnswer` per human (bridged, or abandoned). An `Ended`
without its `Originated` (after a restart) leaves `cc` at 0; `set_calls` resets `cc` from what
FreeSWITCH says.

Scopes: ("global", None), ("campaign", id) for the campaign's public id (the `campaign_id` channel
variable, "cmp_1"), ("trunk", id) for the provider's name (`trunk_id`, "gw_main"). Each event
updates the global scope and its campaign's and trunk's, when it names them. A scope is active
while it had an event in the last 300 s or has calls up; idle scopes are dropped (on `tick`, and
at most once a minute of clock on `record`). The global scope is always there, and its message's
`id` is "global".

Cost: each scope holds three rings of per-second buckets (300 x 4 counters, 60 x 8, 11 x 1) and
running totals, whatever the call rate: `record` is O(1) amortised (each bucket is emptied once as
the clock passes it, and the sweep of idle scopes runs at most once a minute), `tick` and
`snapshot` O(1) per scope. An event older than its window when it arrives moves `cc` and is
otherwise left out.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final

from dialer.engine import metrics

GLOBAL: Final = "global"
CAMPAIGN: Final = "campaign"
TRUNK: Final = "trunk"
SCOPES = (GLOBAL, CAMPAIGN, TRUNK)
GLOBAL_ID: Final = "global"  # the global scope's `id` in kpi.tick
AMD_LABELS = ("HUMAN", "VOICEMAIL", "FAX", "SIT", "UNKNOWN")

LONG_S: Final = 300  # asr5m, acd; and how long a scope stays active after its last event
SHORT_S: Final = 60  # abandon60s, humanRate, amd (windowSec)
CPS_S: Final = 10  # cps: whole seconds before the current one
SWEEP_EVERY_S: Final = 60  # how often `record` drops idle scopes

ScopeKey = tuple[str, str | None]

# Counters of each ring's buckets.
_ANSWERED, _UNANSWERED, _ENDED_ANSWERED, _BILLSEC_MS = range(4)  # 300 s ring
_LIVE, _ABANDONED, _ANSWERED_60 = range(3)  # 60 s ring, then one per AMD label
_AMD_AT = {label: 3 + i for i, label in enumerate(AMD_LABELS)}
_NEVER = -(2**62)  # a ring's newest second before its first event


# -- inputs ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Originated:
    """A call was launched (the originate was sent)."""

    t: float
    campaign: str | None = None
    trunk: str | None = None


@dataclass(frozen=True, slots=True)
class Answered:
    """The far end answered (a person, a machine, a fax: whoever picked up)."""

    t: float
    campaign: str | None = None
    trunk: str | None = None


@dataclass(frozen=True, slots=True)
class AmdLabel:
    """An answered call's first AMD verdict, one of AMD_LABELS (`amd_label` maps FreeSWITCH's words)."""

    t: float
    label: str
    campaign: str | None = None
    trunk: str | None = None

    def __post_init__(self) -> None:
        if self.label not in _AMD_AT:
            raise ValueError(f"AMD label {self.label!r} is not one of {', '.join(AMD_LABELS)}")


@dataclass(frozen=True, slots=True)
class LiveAnswer:
    """A human's verdict: bridged to an agent (abandoned=False), or abandoned."""

    t: float
    abandoned: bool
    campaign: str | None = None
    trunk: str | None = None


@dataclass(frozen=True, slots=True)
class Ended:
    """A call ended (or its originate failed); billsec counts only when it was answered."""

    t: float
    answered: bool
    billsec: float = 0.0
    campaign: str | None = None
    trunk: str | None = None

    def __post_init__(self) -> None:
        if self.billsec < 0:
            raise ValueError(f"billsec {self.billsec} is negative")


KpiEvent = Originated | Answered | AmdLabel | LiveAnswer | Ended

_AMD_WORDS = {
    "HUMAN": "HUMAN",
    "PERSON": "HUMAN",
    "MACHINE": "VOICEMAIL",
    "VOICEMAIL": "VOICEMAIL",
    "BEEP": "VOICEMAIL",
    "NOTSURE": "UNKNOWN",
}


def amd_label(word: str | None) -> str:
    """The AMD_LABELS entry for a mod_amd AMD-Result (HUMAN, MACHINE, NOTSURE), an avmd beep, a
    detected tone's name (FAX_CNG, CED, SIT...) or a label already; anything else is UNKNOWN."""
    w = (word or "").strip().upper()
    if w in _AMD_WORDS:
        return _AMD_WORDS[w]
    if "FAX" in w or "CNG" in w or "CED" in w:
        return "FAX"
    return "SIT" if "SIT" in w else "UNKNOWN"


# -- figures ---------------------------------------------------------------------------------------


def _no_verdicts() -> Mapping[str, int]:
    return MappingProxyType(dict.fromkeys(AMD_LABELS, 0))


@dataclass(frozen=True)
class KpiFigures:
    """One scope's figures at an instant (the module's table), and the counts behind them."""

    asr5m: float = 0.0
    acd: float = 0.0
    cps: float = 0.0
    cc: int = 0
    abandon60s: float = 0.0
    human_rate: float = 0.0
    amd: Mapping[str, int] = field(default_factory=_no_verdicts)
    window_sec: int = SHORT_S
    # asr5m = answered5m / attempts5m; acd over ended_answered5m; cps = originated10s / 10
    attempts5m: int = 0
    answered5m: int = 0
    ended_answered5m: int = 0
    originated10s: int = 0
    # abandon60s = abandoned60s / live60s; humanRate = amd["HUMAN"] / answered60s
    live60s: int = 0
    abandoned60s: int = 0
    answered60s: int = 0

    def message(self, scope: str, id: str | None, ts: int) -> dict[str, Any]:
        """The contract's kpi.tick, keys in its order; `ts` in epoch milliseconds."""
        return {
            "type": "kpi.tick",
            "scope": scope,
            "id": GLOBAL_ID if id is None else id,
            "asr5m": self.asr5m,
            "acd": self.acd,
            "cps": self.cps,
            "cc": self.cc,
            "abandon60s": self.abandon60s,
            "humanRate": self.human_rate,
            "amd": dict(self.amd),
            "windowSec": self.window_sec,
            "ts": ts,
        }


_ratio = metrics.ratio


# -- windows ---------------------------------------------------------------------------------------


class _Ring:
    """`width` counters per second over the last `size` seconds, and their running totals."""

    __slots__ = ("cells", "head", "size", "totals", "width")

    def __init__(self, size: int, width: int) -> None:
        self.size, self.width = size, width
        self.cells = [0] * (size * width)
        self.totals = [0] * width
        self.head = _NEVER  # the newest second held

    def advance(self, second: int) -> None:
        """Make `second` the newest, emptying the buckets of the seconds that leave the window."""
        gap = second - self.head
        if gap <= 0:
            return
        if gap >= self.size:
            self.cells = [0] * len(self.cells)
            self.totals = [0] * self.width
        else:
            cells, totals, width = self.cells, self.totals, self.width
            for s in range(self.head + 1, second + 1):
                base = (s % self.size) * width
                for f in range(width):
                    if cells[base + f]:
                        totals[f] -= cells[base + f]
                        cells[base + f] = 0
        self.head = second

    def add(self, second: int, counter: int, n: int = 1) -> None:
        if second > self.head:
            self.advance(second)
        elif second <= self.head - self.size:
            return  # older than the window
        self.cells[(second % self.size) * self.width + counter] += n
        self.totals[counter] += n

    def newest(self, counter: int) -> int:
        """The count of the newest second."""
        return self.cells[(self.head % self.size) * self.width + counter] if self.head != _NEVER else 0


class KpiWindow:
    """One scope: its rings, the calls up now, and the time of its last event."""

    __slots__ = ("calls", "last", "long", "short", "starts")

    def __init__(self) -> None:
        self.long = _Ring(LONG_S, 4)
        self.short = _Ring(SHORT_S, 3 + len(AMD_LABELS))
        self.starts = _Ring(CPS_S + 1, 1)
        self.calls = 0
        self.last = -math.inf

    @property
    def cells(self) -> int:
        return len(self.long.cells) + len(self.short.cells) + len(self.starts.cells)

    def idle(self, now: float) -> bool:
        return self.calls == 0 and now - self.last >= LONG_S

    def figures(self, now: float) -> KpiFigures:
        second = math.floor(now)
        for ring in (self.long, self.short, self.starts):
            ring.advance(second)
        long, short = self.long.totals, self.short.totals
        attempts = long[_ANSWERED] + long[_UNANSWERED]
        ends = long[_ENDED_ANSWERED]
        started = self.starts.totals[0] - self.starts.newest(0)
        amd = {label: short[i] for label, i in _AMD_AT.items()}
        return KpiFigures(
            asr5m=_ratio(long[_ANSWERED], attempts),
            acd=metrics.acd(long[_BILLSEC_MS] / 1000, ends),
            cps=round(started / CPS_S, 2),
            cc=self.calls,
            abandon60s=_ratio(short[_ABANDONED], short[_LIVE]),
            human_rate=_ratio(amd["HUMAN"], short[_ANSWERED_60]),
            amd=MappingProxyType(amd),
            attempts5m=attempts,
            answered5m=long[_ANSWERED],
            ended_answered5m=ends,
            originated10s=started,
            live60s=short[_LIVE],
            abandoned60s=short[_ABANDONED],
            answered60s=short[_ANSWERED_60],
        )


def _originated(w: KpiWindow, second: int, e: Originated) -> None:
    w.starts.add(second, 0)
    w.calls += 1


def _answered(w: KpiWindow, second: int, e: Answered) -> None:
    w.long.add(second, _ANSWERED)
    w.short.add(second, _ANSWERED_60)


def _labelled(w: KpiWindow, second: int, e: AmdLabel) -> None:
    w.short.add(second, _AMD_AT[e.label])


def _live(w: KpiWindow, second: int, e: LiveAnswer) -> None:
    w.short.add(second, _LIVE)
    if e.abandoned:
        w.short.add(second, _ABANDONED)


def _ended(w: KpiWindow, second: int, e: Ended) -> None:
    if e.answered:
        w.long.add(second, _ENDED_ANSWERED)
        w.long.add(second, _BILLSEC_MS, round(e.billsec * 1000))  # integer ms: totals do not drift
    else:
        w.long.add(second, _UNANSWERED)
    if w.calls:
        w.calls -= 1


_APPLY: Mapping[type, Callable[[KpiWindow, int, Any], None]] = MappingProxyType(
    {
        Originated: _originated,
        Answered: _answered,
        AmdLabel: _labelled,
        LiveAnswer: _live,
        Ended: _ended,
    }
)
_ORDER = {GLOBAL: 0, CAMPAIGN: 1, TRUNK: 2}


# -- the board -------------------------------------------------------------------------------------


class KpiBoard:
    """A `KpiWindow` per active scope; every event updates the global scope and its campaign's and
    trunk's."""

    def __init__(self) -> None:
        self._global = KpiWindow()
        self._windows: dict[ScopeKey, KpiWindow] = {(GLOBAL, None): self._global}
        self._swept = -math.inf

    def record(self, event: KpiEvent) -> None:
        apply = _APPLY[type(event)]
        t = event.t
        second = math.floor(t)
        apply(self._global, second, event)
        if t > self._global.last:
            self._global.last = t
        if event.campaign is not None:
            self._apply(apply, (CAMPAIGN, event.campaign), t, second, event)
        if event.trunk is not None:
            self._apply(apply, (TRUNK, event.trunk), t, second, event)
        if t - self._swept >= SWEEP_EVERY_S:
            self._sweep(t)

    def set_calls(self, now: float, scope: str, id: str | None, calls: int) -> None:
        """Set a scope's calls up (`cc`) to what FreeSWITCH reports, e.g. after a restart."""
        key = _key(scope, id)
        window = self._windows.get(key)
        if window is None:
            if calls <= 0:
                return
            window = self._windows[key] = KpiWindow()
        window.calls = max(calls, 0)
        if calls > 0:
            window.last = max(window.last, now)

    def tick(self, now: float, now_epoch: float) -> list[dict[str, Any]]:
        """One kpi.tick per active scope (global first, then campaigns and trunks by id); drops idle
        scopes first. `now_epoch` is time.time() (seconds)."""
        self._sweep(now)
        ts = round(now_epoch * 1000)
        keys = sorted(self._windows, key=lambda k: (_ORDER[k[0]], k[1] or ""))
        return [self._windows[key].figures(now).message(key[0], key[1], ts) for key in keys]

    def snapshot(self, scope: str, id: str | None, now: float) -> KpiFigures:
        """A scope's figures now, as tick publishes them; zeros for a scope without events."""
        window = self._windows.get(_key(scope, id))
        return window.figures(now) if window is not None else KpiFigures()

    @property
    def scopes(self) -> tuple[ScopeKey, ...]:
        return tuple(self._windows)

    @property
    def cells(self) -> int:
        """Buckets' counters held, over all scopes (constant per scope)."""
        return sum(w.cells for w in self._windows.values())

    def _apply(
        self, apply: Callable[[KpiWindow, int, Any], None], key: ScopeKey, t: float, second: int, event: KpiEvent
    ) -> None:
        window = self._windows.get(key)
        if window is None:
            window = self._windows[key] = KpiWindow()
        apply(window, second, event)
        if t > window.last:
            window.last = t

    def _sweep(self, now: float) -> None:
        self._swept = now
        for key in [k for k, w in self._windows.items() if w is not self._global and w.idle(now)]:
            del self._windows[key]


def _key(scope: str, id: str | None) -> ScopeKey:
    if scope not in _ORDER:
        raise ValueError(f"scope {scope!r} is not one of {', '.join(SCOPES)}")
    if scope == GLOBAL:
        return (GLOBAL, None)
    if id is None:
        raise ValueError(f"a {scope} scope needs an id")
    return (scope, id)
