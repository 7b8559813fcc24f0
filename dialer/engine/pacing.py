"""Pacing: how many calls a campaign launches now. Pure: no I/O, no clock; the caller passes `now`.

## Interface (for the engine loop and for any simulator)

    policy = PacingPolicy(PacingSettings(mode=Mode.predictive, abandon_cap=0.03, max_channels=50))
    n = policy.decide(snapshot, cap=None)      # calls to launch now; about once a second and on
                                               # every event (a dial settles, an agent frees up...)
    policy.observe(DialOutcome.human(9.2, abandoned=False))   # every finished dial, see below
    policy.observe_handle(251.0)                # every call an agent finishes (talk + wrap-up, s)
    policy.new_day(history=ledger.before(today))  # at the start of each day (optional)

`Snapshot` is the campaign at `now` (seconds on any monotonic clock; every other time in it is on
the same clock):

* `idle`: agents logged in and free for a call (not paused, not in wrap-up);
* `busy_since`: one entry per agent on a call or in its wrap-up: when that call reached it;
* `dialled_at`: one entry per call in flight that may still become a human for an agent, i.e.
  placed and not yet answered, or answered and awaiting the AMD verdict: when it was dialled
  (its ring age is now - dialled_at);
* `waiting_since`: one entry per answered human waiting for an agent: when it answered;
* `connected`: calls bridged to agents still up (for maxChannels); None counts every busy agent.

`observe` takes a `DialOutcome` (dialer.engine.outcome_model) for every dial that settled:
`human(answer_s, abandoned)` once it is known whether an agent took it within the patience;
`machine(answer_s, amd_s)`; `no_answer(timeout_s)`; `failed(after_s)` for busy, SIT and failures.
Times are seconds from the dial. `decide` returns a count; the caller launches that many (or
fewer: trunk caps and CPS are its business; it may pass them as `cap`) and lists them in
`dialled_at` from then on.

## Modes

* `progressive`: one call in flight per idle agent (net of humans already waiting). No abandons.
* `power`, `preview`: round(ratio x idle agents) lines, ratio = the campaign's pacing setting
  (at least one per idle agent when there is one). Preview launches only what agents confirmed:
  the engine treats the count as a ceiling.
* `predictive`: the look-ahead chance constraint of dialer.engine.pacing_lookahead: keep adding
  calls while the newest one's risk of reaching a human no agent takes within the patience stays
  at or below theta. The outcome mix and timings are learned online (dialer.engine.outcome_model),
  theta by a slow trim on the abandon budget (`AbandonTrim`). Never fewer calls than progressive
  would place; falls back to progressive with fewer than `MIN_AGENTS` agents or before
  `MIN_DIALS` dials and `MIN_HUMANS` humans were observed.

maxChannels always holds: calls in flight + humans waiting + connected calls + launches <=
max_channels. `last_reason` says why the last decision launched nothing (for the runtime view).

The 30-day abandon bookkeeping the law asks for is dialer.engine.pacing_ledger.AbandonLedger.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

from dialer.engine.outcome_model import DialKind, DialOutcome, OutcomeModel
from dialer.engine.pacing_lookahead import Tables

__all__ = [
    "AbandonTrim",
    "DialOutcome",
    "Mode",
    "PacingPolicy",
    "PacingSettings",
    "Snapshot",
]

MIN_AGENTS = 3
MIN_DIALS = 100
MIN_HUMANS = 20
REBUILD_EVERY = 25  # observations between two rebuilds of the look-ahead tables...
REBUILD_AFTER_S = 30.0  # ...and seconds


class Mode(str, enum.Enum):
    predictive = "predictive"
    progressive = "progressive"
    power = "power"
    preview = "preview"


@dataclass(frozen=True, slots=True)
class PacingSettings:
    mode: Mode = Mode.predictive
    ratio: float = 1.0  # lines per idle agent (power, preview)
    abandon_cap: float = 0.03  # abandoned / live answers
    max_channels: int = 50
    patience_s: float = 2.0  # safe harbor: a human not bridged within this is abandoned
    aht_s: float = 240.0  # handle time to plan with until measured


@dataclass(frozen=True, slots=True)
class Snapshot:
    now: float
    idle: int
    busy_since: tuple[float, ...] = ()
    dialled_at: tuple[float, ...] = ()
    waiting_since: tuple[float, ...] = ()
    connected: int | None = None

    @property
    def ring_ages(self) -> list[float]:
        return [self.now - t for t in self.dialled_at]

    @property
    def channels(self) -> int:
        connected = len(self.busy_since) if self.connected is None else self.connected
        return len(self.dialled_at) + len(self.waiting_since) + connected


class AbandonTrim:
    """theta, trimmed on the abandon budget left: U = target x humans - abandoned (in calls),
    target = MARGIN x cap. log theta = log THETA0 + z + KP x U, and z += KI x U per live answer
    (the integral makes U hover near zero, so the day ends near the target). Budget counts the
    day and, when given, the other days of the law's window (`history`): a deficit there is paid
    back today, a surplus is not spent. Gains are per live answer, so the same for any team."""

    MARGIN = 0.9
    THETA0 = 0.025
    KP = 0.05
    KI = 0.0005
    LOG_MIN = math.log(0.003)
    LOG_MAX = math.log(0.9)

    def __init__(self, cap: float, history: tuple[int, int] = (0, 0), theta0: float | None = None) -> None:
        self.target = self.MARGIN * cap
        self.log_base = math.log(theta0 if theta0 is not None else self.THETA0)
        self.z = 0.0
        self.humans = 0
        self.abandoned = 0
        self.history = history

    def add(self, abandoned: bool) -> None:
        self.humans += 1
        self.abandoned += int(abandoned)
        u = self.unused
        z = self.z + self.KI * u
        # no wind-up: z moves only while theta is inside its bounds, or back towards them
        raw = self.log_base + z + self.KP * u
        if self.LOG_MIN <= raw <= self.LOG_MAX or (raw > self.LOG_MAX and u < 0) or (raw < self.LOG_MIN and u > 0):
            self.z = z

    @property
    def unused(self) -> float:
        day = self.target * self.humans - self.abandoned
        h, a = self.history
        if not h:
            return day
        return min(day, self.target * (h + self.humans) - (a + self.abandoned))

    @property
    def theta(self) -> float:
        raw = self.log_base + self.z + self.KP * self.unused
        return math.exp(min(max(raw, self.LOG_MIN), self.LOG_MAX))

    def new_day(self, history: tuple[int, int] = (0, 0)) -> None:
        self.log_base = math.log(self.theta)
        self.z = 0.0
        self.humans = self.abandoned = 0
        self.history = history


class PacingPolicy:
    """One campaign's pacer (see the module docstring). `theta`: a fixed threshold, no trim (for
    experiments); by default theta is learned."""

    def __init__(
        self, settings: PacingSettings, *, history: tuple[int, int] = (0, 0), theta: float | None = None
    ) -> None:
        self.settings = settings
        self.model = OutcomeModel(settings.aht_s)
        self.trim = AbandonTrim(settings.abandon_cap, history)
        self.fixed_theta = theta
        self.humans = 0
        self.abandoned = 0
        self.last_reason = ""
        self._tables: Tables | None = None
        self._built = -(10**9)
        self._built_at = -math.inf

    # -- feeding -------------------------------------------------------------------------------

    def observe(self, outcome: DialOutcome) -> None:
        self.model.observe(outcome)
        if outcome.kind is DialKind.HUMAN:
            self.humans += 1
            self.abandoned += int(outcome.abandoned)
            self.trim.add(outcome.abandoned)

    def observe_handle(self, seconds: float) -> None:
        self.model.observe_handle(seconds)

    def new_day(self, history: tuple[int, int] = (0, 0)) -> None:
        self.trim.new_day(history)

    @property
    def theta(self) -> float:
        return self.fixed_theta if self.fixed_theta is not None else self.trim.theta

    @property
    def ready(self) -> bool:
        return self.model.dials >= MIN_DIALS and self.model.humans >= MIN_HUMANS

    # -- deciding ------------------------------------------------------------------------------

    def decide(self, snap: Snapshot, cap: int | None = None) -> int:
        room = self.settings.max_channels - snap.channels
        if cap is not None:
            room = min(room, cap)
        if room <= 0:
            self.last_reason = "max channels" if cap is None or cap >= room else "cap"
            return 0
        net_idle = snap.idle - len(snap.waiting_since)
        mode = self.settings.mode
        if mode is Mode.progressive:
            want = net_idle - len(snap.dialled_at)
        elif mode in (Mode.power, Mode.preview):
            lines = math.floor(self.settings.ratio * net_idle + 0.5) if net_idle > 0 else 0
            want = max(lines, net_idle) - len(snap.dialled_at) if net_idle > 0 else 0
        else:
            want = self._predictive(snap, net_idle, room)
        if want <= 0:
            self.last_reason = "no idle agent" if net_idle <= 0 else "enough calls in flight"
            return 0
        self.last_reason = ""
        return min(want, room)

    def _predictive(self, snap: Snapshot, net_idle: int, room: int) -> int:
        floor = net_idle - len(snap.dialled_at)
        busy = len(snap.busy_since)
        if snap.idle + busy < MIN_AGENTS or not self.ready:
            return floor
        if net_idle <= 0:  # the constrained MDP's optimum: nothing ringing while every agent is busy
            return 0
        tables = self._look_ahead(snap.now)
        humans = tables.expected_humans(snap.ring_ages)
        theta = self.theta

        def fits(k: int) -> bool:  # may the k-th call of this decision go?
            return tables.risk(humans, k - 1, net_idle, busy, theta) <= theta

        if not fits(1):
            return floor
        ok, bad = 1, 2
        while bad <= room and fits(bad):
            ok, bad = bad, bad * 2
        bad = min(bad, room + 1)
        while bad - ok > 1:
            mid = (ok + bad) // 2
            if fits(mid):
                ok = mid
            else:
                bad = mid
        return max(ok, floor)

    def _look_ahead(self, now: float) -> Tables:
        if self._tables is None or (
            self.model.version - self._built >= REBUILD_EVERY and now - self._built_at >= REBUILD_AFTER_S
        ):
            self._tables = Tables.build(self.model.view(), self.settings.patience_s)
            self._built = self.model.version
            self._built_at = now
        return self._tables
