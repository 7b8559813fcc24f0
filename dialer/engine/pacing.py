"""Pacing: how many calls a campaign launches now. Pure: no I/O, no clock; the caller passes `now`.

## Interface (for the engine loop and for any simulator)

    policy = PacingPolicy(PacingSettings(mode=Mode.predictive, abandon_cap=0.03, max_channels=50))
    n = policy.decide(snapshot, cap=None)      # calls to launch now; about once a second and on
                                               # every event (a dial settles, an agent frees up...)
    policy.observe(DialOutcome.human(9.2, abandoned=False))   # every finished dial, see below
    policy.observe_handle(251.0)                # every call an agent finishes (talk + wrap-up, s)
    policy.new_day(history=ledger.before(today))  # at the start of each day (optional)
    policy.learned_theta                        # persist; pass back as theta0 on a rebuild

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
  at or below theta. No new call while every agent is busy (net of waiting humans): the exact
  MDP's optimum keeps nothing ringing then. The outcome mix, timings and handle-time
  distribution are learned online (dialer.engine.outcome_model, dialer.engine.pacing_handle:
  `busy_since` tells the look-ahead who is likely to be free soon), theta by a slow trim on the
  day's abandon budget (`AbandonTrim`). Never fewer calls than progressive would place; falls back to progressive
  with fewer than `MIN_AGENTS` agents, or until `MIN_DIALS` dials and `MIN_HUMANS` humans were
  observed and the finished dials are `MIN_FINISHED_PER_FLIGHT` times the calls in flight.

maxChannels always holds: calls in flight + humans waiting + connected calls + launches <=
max_channels. `last_reason` says why the last decision launched nothing (for the runtime view).

The 30-day abandon bookkeeping the law asks for is dialer.engine.pacing_ledger.AbandonLedger.
"""

from __future__ import annotations

import enum
import math
from collections import deque
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
# Finished dials per call in flight before the mix is trusted: early on, the dials that finished
# are the short ones (busy, humans), not the 25 s no answers; the bias fades as this ratio grows.
MIN_FINISHED_PER_FLIGHT = 4
# A guard that never binds on a sane model: calls in flight <= this x idle agents / contact rate.
MAX_FLIGHT_FACTOR = 3.0
REBUILD_EVERY = 25  # observations between two rebuilds of the look-ahead tables...
REBUILD_AFTER_S = 30.0  # ...and seconds, unless the contact rate to plan with moved by more than
REBUILD_RATE = 0.05  # this share


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
    """theta, trimmed on the day's unused abandon budget U = target x live answers - abandoned
    (in calls), target = MARGIN x cap (2.85 % for a 3 % cap).

        log theta = log THETA0 + z + kp x U (+ KP_FAR x the part of |U| beyond U_NEAR) - brake
        kp = KP + KP_EARLY x EARLY / (EARLY + the campaign's live answers so far)
        z += KI x U on every live answer
        brake = KB x (abandons among the last RECENT answers beyond BRAKE_AT x target x RECENT)

    U is the integral of the rate's error, so the proportional term alone brings the rate back to
    the target; z removes what is left of the offset (the threshold a team needs is not THETA0).
    The gain is low so that theta stays steady: the budget's own noise is several calls, and a
    theta chasing it costs occupancy (a gain of 0.05, plus 0.1 beyond 4 calls, cost 0.1-0.3 point
    at 10 and 25 agents). A burst of abandons is the brake's job, a change of contact rate the
    outcome model's. A young campaign reacts faster: THETA0 is only a guess. Once grown up, every
    abandon lowers theta by about 3 %, every answer raises it by 0.09 %. The budget counts the
    day and, when given, the other days of the law's window (`history`): a deficit there is paid
    back today, a surplus is not spent. Gains count live answers, not seconds, so none depends on
    the team size: a big team simply learns faster in wall time. THETA0 sits between the
    thresholds that give 2.85 % at 10 and at 100 agents (about 0.031 and 0.02, measured with
    fixed thresholds), on the low side: starting high spends the first half hour's budget;
    docs/pacing.md has the measurements behind each number."""

    MARGIN = 0.95
    THETA0 = 0.025
    KP = 0.03
    KP_EARLY = 0.1  # added while the campaign is young: x EARLY / (EARLY + its live answers)
    EARLY = 500
    KP_FAR = 0.05  # added beyond U_NEAR calls of budget either way: a burst, not the budget's noise
    U_NEAR = 6.0
    KI = 0.0001
    RECENT = 150  # live answers the brake looks back on
    BRAKE_AT = 1.5  # x target: abandons in the last RECENT answers beyond this...
    KB = 0.15  # ...cut log theta by this much each
    LOG_MIN = math.log(0.003)
    LOG_MAX = math.log(0.9)

    def __init__(self, cap: float, history: tuple[int, int] = (0, 0), theta0: float | None = None) -> None:
        self.target = self.MARGIN * cap
        self.log_base = math.log(theta0 if theta0 is not None else self.THETA0)
        self.z = 0.0
        self.humans = 0
        self.abandoned = 0
        self.life = history[0]  # live answers the campaign has had: a young one learns faster
        self.history = history
        self._recent: deque[bool] = deque(maxlen=self.RECENT)

    def add(self, abandoned: bool) -> None:
        self.humans += 1
        self.life += 1
        self.abandoned += int(abandoned)
        self._recent.append(abandoned)
        u = self.unused
        z = self.z + self.KI * u
        # no wind-up: z moves only while theta is inside its bounds, or back towards them
        raw = self.log_base + z + self._proportional(u)
        if self.LOG_MIN <= raw <= self.LOG_MAX or (raw > self.LOG_MAX and u < 0) or (raw < self.LOG_MIN and u > 0):
            self.z = z

    def _proportional(self, u: float) -> float:
        far = abs(u) - self.U_NEAR
        kp = self.KP + self.KP_EARLY * self.EARLY / (self.EARLY + self.life)
        return kp * u + (math.copysign(self.KP_FAR * far, u) if far > 0 else 0.0)

    @property
    def brake(self) -> float:
        """A burst: more abandons among the last RECENT answers than BRAKE_AT x target allows."""
        excess = sum(self._recent) - self.BRAKE_AT * self.target * self.RECENT
        return self.KB * excess if excess > 0 else 0.0

    @property
    def unused(self) -> float:
        day = self.target * self.humans - self.abandoned
        h, a = self.history
        if not h:
            return day
        return min(day, self.target * (h + self.humans) - (a + self.abandoned))

    @property
    def theta(self) -> float:
        raw = self.log_base + self.z + self._proportional(self.unused) - self.brake
        return math.exp(min(max(raw, self.LOG_MIN), self.LOG_MAX))

    def new_day(self, history: tuple[int, int] = (0, 0)) -> None:
        """A new budget; what the integral learned stays, the proportional reaction to the old
        budget goes, except in a young campaign (its share EARLY / (EARLY + live answers)): there
        it is most of what was learned, and dropping it sends the new day off from a stale guess."""
        young = self.EARLY / (self.EARLY + self.life)
        raw = self.log_base + self.z + young * self._proportional(self.unused)
        self.log_base = min(max(raw, self.LOG_MIN), self.LOG_MAX)
        self.z = 0.0
        self.humans = self.abandoned = 0
        self.history = history
        self.life = max(self.life, history[0])


class PacingPolicy:
    """One campaign's pacer (see the module docstring). `theta`: a fixed threshold, no trim (for
    experiments); by default theta is learned, from `theta0` (default AbandonTrim.THETA0, or what
    an earlier pacer of the campaign learned: `learned_theta`). `history`: (live answers,
    abandoned) of the other days of the law's window (AbandonLedger.before)."""

    def __init__(
        self,
        settings: PacingSettings,
        *,
        history: tuple[int, int] = (0, 0),
        theta: float | None = None,
        theta0: float | None = None,
    ) -> None:
        self.settings = settings
        self.model = OutcomeModel(settings.aht_s)
        self.trim = AbandonTrim(settings.abandon_cap, history, theta0)
        self.fixed_theta = theta
        self.humans = 0
        self.abandoned = 0
        self.last_reason = ""
        self._tables: Tables | None = None
        self._built = -(10**9)
        self._built_at = -math.inf
        self._built_rate = 0.0

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
    def learned_theta(self) -> float:
        """What the trim has learned, without today's budget reaction: persist it and pass it back
        as `theta0` when the campaign's pacer is built again (a restart, the next day)."""
        return math.exp(min(max(self.trim.log_base + self.trim.z, self.trim.LOG_MIN), self.trim.LOG_MAX))

    def ready(self, in_flight: int = 0) -> bool:
        dials = self.model.dials
        return dials >= MIN_DIALS and self.model.humans >= MIN_HUMANS and dials >= MIN_FINISHED_PER_FLIGHT * in_flight

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
        if snap.idle + busy < MIN_AGENTS or not self.ready(len(snap.dialled_at)):
            return floor
        if net_idle <= 0:  # the constrained MDP's optimum: nothing ringing while every agent is busy
            return 0
        tables = self._look_ahead(snap.now)
        humans = tables.expected_humans(snap.ring_ages)
        now = snap.now
        freed = tables.freed([now - t for t in snap.busy_since])
        theta = self.theta

        def fits(k: int) -> bool:  # may the k-th call of this decision go?
            return tables.risk(humans, k - 1, net_idle, freed, theta) <= theta

        if not fits(1):
            return floor
        guard = MAX_FLIGHT_FACTOR * net_idle / max(self.model.contact_rate, 0.05) - len(snap.dialled_at)
        room = min(room, max(int(guard), 1))
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
        rate = self.model.planning_rate()
        if (
            self._tables is None
            or (self.model.version - self._built >= REBUILD_EVERY and now - self._built_at >= REBUILD_AFTER_S)
            # a change of contact rate (a shift, or one suspected) acts now, not at the next rebuild
            or abs(rate - self._built_rate) > REBUILD_RATE * self._built_rate
        ):
            self._tables = Tables.build(self.model.view(), self.settings.patience_s, previous=self._tables)
            self._built = self.model.version
            self._built_at = now
            self._built_rate = rate
        return self._tables
