"""What a campaign's dials come to, learned online: the outcome mix, the timings, the handle time.

The predictive pacer (dialer.engine.pacing) asks one question of this model: for a call that has
been in flight `a` seconds, how likely is it to turn into a live human within the next `v` seconds?
That needs the mix (human, machine, no answer, failed) and, for each kind, when the pacer learns
what the call is (a human when it answers; a machine when AMD says so; a no answer at the ring
timeout; busy, SIT or a failure when the network says so). This module learns both from every
finished dial and turns them into the small tables the pacer's look-ahead reads.

Feeding it (the engine loop, or a simulator, through the pacer's `observe`):

    DialOutcome.human(answer_s, abandoned=False)   # answered by a person after answer_s seconds
    DialOutcome.machine(answer_s, amd_s)            # a machine answered; AMD said so amd_s later
    DialOutcome.no_answer(timeout_s)                # we gave up ringing after timeout_s
    DialOutcome.failed(after_s)                     # busy, SIT, network failure after after_s

and the handle time (talk + wrap-up) of every call an agent finishes, in seconds.

How it learns, and why:

* The mix is a running mean over the last `MIX_DIALS` (3000) finished dials: the contact rate is
  then known to about +-1 point, and a steady list is paced on a steady estimate (an average over
  300 dials, +-2.5 points, cost about 0.1 point of occupancy in the benchmark). Lists do change
  within a day (a live-answer rate that halves at lunch), so two CUSUM tests watch each dial's
  human/not-human result against the estimate, one for the rate doubling and one for it halving
  (log-likelihood ratios, `SHIFT_RATIO`, alarm at `SHIFT_H` = 10: about one false alarm per 20 000
  dials). On an alarm the mix restarts from the dials since the CUSUM last stood at zero, the
  likeliest start of the change (at least `SHIFT_MIN_DIALS`): 30 % -> 40 % is caught within about
  60 dials. Finished dials are counted in the order they finish; in steady state that order has
  the same mix as the dials themselves (the pacer waits for enough finished dials per call in
  flight before it trusts the mix: early on, the short outcomes finish first).
* The pacer plans with the contact rate raised by `UNCERTAINTY_Z` (1) standard error of its
  estimate (`planning_rate`, `view`): nothing in steady state (+0.008 on 3000 dials, which the
  abandon trim absorbs), a brake right after a change, when few dials stand behind the estimate.
  And it does not wait for the upward alarm: from a CUSUM score of `SOFT_FROM` (3) it plans with
  a rate moved towards that of the dials behind the score, all the way at the alarm. A rise of
  the contact rate costs abandons for every minute it goes unplanned (15 % -> 40 % at 25 agents:
  a 30-minute window at 6.7-7.5 % when waiting for the alarm), a false suspicion a few calls.
* Timings are histograms on a `BIN_S` (0.5 s) grid up to `MAX_S` (120 s) that forget more slowly
  (about `TIMING_OBS` = 2000 observations per kind): ring and AMD times change less than the mix.
* Handle time: a running mean that forgets over about `HANDLE_OBS` (200) calls, starting from the
  campaign's planning figure (`predictive.ahtSec`), worth `PRIOR_HANDLES` observations; and its
  distribution (dialer.engine.pacing_handle.HandleHistogram, in `ModelView.handle_survival`), from
  which the look-ahead reads when each busy agent is likely to be free given its elapsed time.

None of these numbers depends on the team size. Everything is pure: no clock is read; the caller
hands over what happened.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

from dialer.engine.pacing_handle import HandleHistogram

BIN_S = 0.5
MAX_S = 120.0
N_BINS = int(MAX_S / BIN_S) + 1
MIX_DIALS = 3000
SHIFT_RATIO = 2.0  # the CUSUMs look for the contact rate doubling or halving...
SHIFT_H = 10.0  # ...and ring when the log-likelihood ratio passes this (a false alarm per ~20 000 dials)
UNCERTAINTY_Z = 1.0  # plan with the contact rate plus this many standard errors of its estimate
TIMING_OBS = 2000
HANDLE_OBS = 200
PRIOR_HANDLES = 20


class DialKind(str, enum.Enum):
    HUMAN = "human"
    MACHINE = "machine"
    NO_ANSWER = "no_answer"
    FAILED = "failed"  # busy, SIT, network or trunk failure


KINDS = (DialKind.HUMAN, DialKind.MACHINE, DialKind.NO_ANSWER, DialKind.FAILED)


@dataclass(frozen=True, slots=True)
class DialOutcome:
    """One finished dial. `settled_s`: seconds from the dial until the pacer knew what it was (a
    human: the answer; a machine: the AMD verdict; otherwise the end). `answer_s`: seconds to the
    answer, when there was one. `abandoned`: a human no agent took within the patience."""

    kind: DialKind
    settled_s: float
    answer_s: float | None = None
    abandoned: bool = False

    @classmethod
    def human(cls, answer_s: float, abandoned: bool = False) -> DialOutcome:
        return cls(DialKind.HUMAN, answer_s, answer_s, abandoned)

    @classmethod
    def machine(cls, answer_s: float, amd_s: float = 0.0) -> DialOutcome:
        return cls(DialKind.MACHINE, answer_s + amd_s, answer_s)

    @classmethod
    def no_answer(cls, timeout_s: float) -> DialOutcome:
        return cls(DialKind.NO_ANSWER, timeout_s)

    @classmethod
    def failed(cls, after_s: float) -> DialOutcome:
        return cls(DialKind.FAILED, after_s)


MIN_SHIFT_DIALS = 1000  # dials before the CUSUM starts watching
SHIFT_MIN_DIALS = 30  # dials since a change before it is acted on
SOFT_FROM = 3.0  # upward CUSUM score from which the planning rate leans towards its dials' rate...
SOFT_MIN_DIALS = 10  # ...once it has at least this many dials


class _Cusum:
    """One side of a CUSUM test on the live-answer share, with the mix of the dials since it last
    stood at zero (the likeliest start of a change)."""

    __slots__ = ("dials", "kinds", "score")

    def __init__(self) -> None:
        self.score = 0.0
        self.dials = 0
        self.kinds = dict.fromkeys(KINDS, 0)

    def add(self, step: float, kind: DialKind) -> float:
        self.score += step
        if self.score <= 0.0:
            self.score = 0.0
            self.dials = 0
            self.kinds = dict.fromkeys(KINDS, 0)
        else:
            self.dials += 1
            self.kinds[kind] += 1
        return self.score


class _Histogram:
    """Settle times of one kind on the BIN_S grid, forgetting geometrically. The newest observation
    weighs `gain`; older ones shrink relative to it by (1 - 1/window) per observation."""

    __slots__ = ("count", "gain", "growth", "weights")

    def __init__(self, window: int) -> None:
        self.weights = [0.0] * N_BINS
        self.gain = 1.0
        self.growth = 1.0 / (1.0 - 1.0 / window)
        self.count = 0

    def add(self, seconds: float) -> None:
        index = min(max(int(seconds / BIN_S), 0), N_BINS - 1)
        self.weights[index] += self.gain
        self.count += 1
        self.gain *= self.growth
        if self.gain > 1e150:
            self.weights = [w / self.gain for w in self.weights]
            self.gain = 1.0

    def cdf(self) -> list[float]:
        """P(settled by the end of bin i), i = 0..N_BINS-1; all zero before any observation."""
        total = sum(self.weights)
        if total <= 0.0:
            return [0.0] * N_BINS
        out = []
        running = 0.0
        for w in self.weights:
            running += w
            out.append(running / total)
        return out


def cdf_at(cdf: list[float], seconds: float) -> float:
    """The learned CDF at `seconds`, linear within a bin (bin i spans [i*BIN_S, (i+1)*BIN_S))."""
    if seconds <= 0.0:
        return 0.0
    x = seconds / BIN_S
    i = int(x)
    if i >= N_BINS:
        return cdf[-1]
    below = cdf[i - 1] if i > 0 else 0.0
    return below + (cdf[i] - below) * (x - i)


def quantile(cdf: list[float], u: float) -> float:
    """The inverse of `cdf_at`: the smallest time whose CDF reaches u."""
    below = 0.0
    for i, c in enumerate(cdf):
        if c >= u:
            span = c - below
            frac = (u - below) / span if span > 0 else 1.0
            return (i + frac) * BIN_S
        below = c
    return MAX_S


@dataclass(frozen=True, slots=True)
class ModelView:
    """A frozen picture of the model, read by the look-ahead: the mix, each kind's settle-time CDF,
    the mean handle time."""

    mix: dict[DialKind, float]
    cdfs: dict[DialKind, list[float]]
    aht_s: float
    # the learned handle-time survival function and its weight in calls, None until learned
    handle_survival: tuple[list[float], float] | None = None
    handles: int = 0  # calls the handle times were learned from

    def p_in_flight(self, age_s: float) -> float:
        """P(a dial is still unsettled `age_s` seconds after it was placed)."""
        return sum(self.mix[k] * (1.0 - cdf_at(self.cdfs[k], age_s)) for k in KINDS)

    def p_human_between(self, age_s: float, horizon_s: float) -> float:
        """P(a dial unsettled at `age_s` turns into a human by `age_s + horizon_s`)."""
        alive = self.p_in_flight(age_s)
        if alive <= 1e-9:
            return 0.0
        cdf = self.cdfs[DialKind.HUMAN]
        gained = self.mix[DialKind.HUMAN] * (cdf_at(cdf, age_s + horizon_s) - cdf_at(cdf, age_s))
        return min(max(gained / alive, 0.0), 1.0)


class OutcomeModel:
    """The learned mix, timings and handle time of one campaign (see the module docstring)."""

    def __init__(self, aht_prior_s: float = 240.0) -> None:
        self.dials = 0
        self.mix = dict.fromkeys(KINDS, 0.0)  # what the pacer uses
        self._mix_weight = 0.0
        self.shifts = 0
        self._up = _Cusum()
        self._down = _Cusum()
        self.timings = {k: _Histogram(TIMING_OBS) for k in KINDS}
        self.handles = 0
        self.handle_times = HandleHistogram()
        self.aht_s = float(aht_prior_s)
        self._aht_weight = float(PRIOR_HANDLES)
        self.version = 0  # bumps on every observation; the pacer rebuilds its tables from it

    def observe(self, outcome: DialOutcome) -> None:
        self.dials += 1
        self._mix_weight = min(self._mix_weight + 1.0, float(MIX_DIALS))
        rate = 1.0 / self._mix_weight
        for kind in KINDS:
            self.mix[kind] += rate * ((1.0 if kind is outcome.kind else 0.0) - self.mix[kind])
        if self.dials >= MIN_SHIFT_DIALS:
            p = min(max(self.mix[DialKind.HUMAN], 0.005), 0.99)
            human = outcome.kind is DialKind.HUMAN
            for cusum, p1 in ((self._up, min(p * SHIFT_RATIO, (1.0 + p) / 2.0)), (self._down, p / SHIFT_RATIO)):
                step = math.log(p1 / p) if human else math.log((1.0 - p1) / (1.0 - p))
                if cusum.add(step, outcome.kind) > SHIFT_H and cusum.dials >= SHIFT_MIN_DIALS:
                    # the mix changed: start again from the dials since the change began
                    self.mix = {k: cusum.kinds[k] / cusum.dials for k in KINDS}
                    self._mix_weight = float(cusum.dials)
                    self.shifts += 1
                    self._up, self._down = _Cusum(), _Cusum()
                    break
        self.timings[outcome.kind].add(outcome.settled_s)
        self.version += 1

    def observe_handle(self, seconds: float) -> None:
        self.handles += 1
        self._aht_weight = min(self._aht_weight + 1.0, float(HANDLE_OBS))
        self.aht_s += (max(seconds, 0.0) - self.aht_s) / self._aht_weight
        self.handle_times.add(max(seconds, 0.0))
        self.version += 1

    @property
    def humans(self) -> int:
        return self.timings[DialKind.HUMAN].count

    @property
    def contact_rate(self) -> float:
        return self.mix[DialKind.HUMAN]

    def planning_rate(self) -> float:
        """The contact rate to plan with: the estimate raised by UNCERTAINTY_Z standard errors, or,
        while the upward CUSUM is building a case, pulled towards the rate of the dials behind its
        score (its share SOFT_FROM..SHIFT_H of the way there: all of it at the alarm). A rise costs
        abandons until it is acted on, a false suspicion only a few calls: act early."""
        p = self.mix[DialKind.HUMAN]
        if self._mix_weight <= 0 or not 0.0 < p < 1.0:
            return p
        raised = min(p + UNCERTAINTY_Z * math.sqrt(p * (1.0 - p) / self._mix_weight), 1.0)
        up = self._up
        if up.score > SOFT_FROM and up.dials >= SOFT_MIN_DIALS:
            share = min((up.score - SOFT_FROM) / (SHIFT_H - SOFT_FROM), 1.0)
            raised = max(raised, p + share * (up.kinds[DialKind.HUMAN] / up.dials - p))
        return raised

    def view(self) -> ModelView:
        """The model to plan with: the contact rate of `planning_rate` (the other kinds shrink in
        proportion): right after a change, with few dials behind the estimate, or while one is
        suspected, the pacer errs towards fewer calls."""
        mix = dict(self.mix)
        p = mix[DialKind.HUMAN]
        raised = self.planning_rate()
        if raised != p:
            shrink = (1.0 - raised) / (1.0 - p)
            mix = {k: (raised if k is DialKind.HUMAN else v * shrink) for k, v in mix.items()}
        cdfs = {k: h.cdf() for k, h in self.timings.items()}
        return ModelView(mix, cdfs, max(self.aht_s, 1.0), self.handle_times.survival(), self.handles)


def lognormal_params(mean: float, sd: float) -> tuple[float, float]:
    """(mu, sigma) of the lognormal with this mean and standard deviation."""
    sigma2 = math.log(1.0 + (sd / mean) ** 2)
    return math.log(mean) - sigma2 / 2.0, math.sqrt(sigma2)
