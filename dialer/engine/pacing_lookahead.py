"""The predictive pacer's look-ahead: how likely is the next call we place to reach a human that
no agent takes in time?

For a candidate dial placed now, its human (if it is one) answers `v` seconds from now, `v` drawn
from the learned answer-time distribution (represented by `POINTS` equal-probability quantiles).
By then, competing for the agents, there are:

* the humans already waiting (W), and
* X_A humans from the calls already in flight: call j, in flight for a_j seconds, turns human by
  a_j + v with the exact conditional probability h_j = P(human in (a_j, a_j + v] | unsettled at
  a_j) from the learned mix and timings (plus the other calls placed in the same decision, at
  age 0). X_A is a sum of such Bernoullis; it is taken as the binomial with the same mean and
  variance (Poisson when the h_j are all small). Against a plain Poisson this gains about 0.15
  point of occupancy at 10 agents, where a few calls with h near 0.5 decide;

and to serve them there are the I idle agents plus X_F of the B busy agents: agent j, on its call
for e_j seconds, is free by v + patience with the conditional probability r_j of the learned
handle-time distribution (dialer.engine.pacing_handle; memoryless, 1 - exp(-(v + patience)/AHT),
until it has data). X_F is taken, like X_A, as the binomial with the sum's mean and variance: with
a fixed wrap-up the agents who just took a call free nobody, and knowing it is worth about 0.1 point
of occupancy with lognormal talk. The candidate's human is lost when W + X_A >= I + X_F. Its risk is
that probability averaged over v; the pacer keeps dialling while the risk stays at or below its
threshold theta. The counts are kept as counts (Poisson / binomial tails): a normal approximation
is too coarse for small teams.

Tables depend only on the learned model; they are rebuilt when it has moved (`Tables.build`).
Per decision the cost is one row lookup per call in flight and per busy agent, a binomial CDF per
point for X_F, and a short tail sum per point and candidate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from dialer.engine.outcome_model import BIN_S, KINDS, N_BINS, DialKind, ModelView, cdf_at, quantile
from dialer.engine.pacing_handle import FreeRows

POINTS = 12  # quantiles of the candidate's answer time
MAX_TRIALS = 200  # beyond this many equivalent trials the humans' count is taken as Poisson
_EPS = 1e-8


@dataclass(frozen=True, slots=True)
class Tables:
    """rows[b][i]: P(a call in flight for about (b + 0.5) * BIN_S s turns human within points[i]);
    fresh[i]: the same for a call placed now; free: per busy agent's elapsed time, P(free by
    points[i] + patience)."""

    points: tuple[float, ...]
    rows: tuple[tuple[float, ...], ...]
    fresh: tuple[float, ...]
    free: FreeRows
    _cdfs: dict[tuple[int, float], list[float]] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def build(
        cls, model: ModelView, patience_s: float, points: int | None = None, previous: Tables | None = None
    ) -> Tables:
        """`previous`: the tables this replaces; their busy-agent rows are kept while the handle
        times learned and the horizons have barely moved (rebuilding them is the costly part)."""
        points = points or POINTS
        human = model.cdfs[DialKind.HUMAN]
        vs = tuple(quantile(human, (i + 0.5) / points) for i in range(points))
        p_human = model.mix[DialKind.HUMAN]
        # The oldest age at which anything was seen to settle: past it a call cannot turn human.
        last = 0
        for kind in KINDS:
            cdf = model.cdfs[kind]
            for b in range(N_BINS - 1, -1, -1):
                if model.mix[kind] > 0 and (b == 0 or cdf[b - 1] < 1.0 - 1e-12):
                    last = max(last, b)
                    break
        zero = (0.0,) * (2 * points)
        rows = []
        for b in range(N_BINS):
            if b > last:
                rows.append(zero)
                continue
            age = (b + 0.5) * BIN_S
            alive = model.p_in_flight(age)
            if alive <= 1e-9:
                rows.append(zero)
                continue
            base = cdf_at(human, age)
            scale = p_human / alive
            row = [min(max(scale * (cdf_at(human, age + v) - base), 0.0), 1.0) for v in vs]
            rows.append(tuple(row + [h * (1.0 - h) for h in row]))
        fresh = tuple(p_human * cdf_at(human, v) for v in vs)
        horizons = tuple(v + patience_s for v in vs)
        old = previous.free if previous is not None else None
        if old is not None and old.still_fits(horizons, model.handles, model.aht_s):
            free = old
        else:
            free = FreeRows(horizons, model.handle_survival, model.aht_s, model.handles)
        return cls(vs, tuple(rows), fresh, free)

    def expected_humans(self, ages: list[float]) -> list[float]:
        """Per point: the mean, then (after all the means) the variance of the number of humans
        from the calls in flight with these ages (seconds)."""
        if not ages:
            return [0.0] * (2 * len(self.points))
        rows = self.rows
        top = len(rows) - 1
        scale = 1.0 / BIN_S
        if min(ages) >= 0.0 and max(ages) * scale < top:
            picked = [rows[int(a * scale)] for a in ages]
        else:
            picked = [rows[min(max(int(a * scale), 0), top)] for a in ages]
        return [sum(col) for col in zip(*picked, strict=True)]

    def freed(self, elapsed: list[float]) -> Freed:
        """X_F for the busy agents on their calls for `elapsed` seconds: see `Freed`."""
        return Freed(self.free.sums(elapsed), self._cdfs)

    def risk(self, humans: list[float], extra: int, net_idle: int, freed: Freed, limit: float = 1.0) -> float:
        """P(the candidate's human finds no agent), averaged over its answer time. `humans`: from
        `expected_humans`; `extra`: other calls placed now; `net_idle`: idle agents minus waiting
        humans; `freed`: from `freed`. Stops early, returning a value above `limit`, once the risk
        is known to exceed it."""
        n = len(self.points)
        budget = limit * n
        total = 0.0
        fresh = self.fresh
        cdfs = freed.cdfs
        for i in range(n):
            f = fresh[i]
            mu = humans[i] + extra * f
            excess = mu - humans[n + i] - extra * f * (1.0 - f)  # mean - variance = sum of h^2
            if excess * MAX_TRIALS <= mu * mu:  # nearly Poisson
                total += short_tail(mu, cdfs[i] or freed.cdf(i), net_idle)
            else:
                trials = max(1, round(mu * mu / excess))
                total += binomial_tail(trials, min(mu / trials, 1.0), cdfs[i] or freed.cdf(i), net_idle)
            if total > budget:
                break
        return total / n


class Freed:
    """Per point, the CDF of X_F (busy agents free by then) as the binomial with the sum's mean and
    variance; each computed when first needed (the risk often stops after a few points) and shared
    between decisions through `cache` (keyed by trials and p to 4 decimals: in the memoryless
    case, and among similar states, they repeat)."""

    __slots__ = ("cache", "cdfs", "sums")

    def __init__(self, sums: list[float], cache: dict[tuple[int, float], list[float]]) -> None:
        self.sums = sums
        self.cache = cache
        self.cdfs: list[list[float] | None] = [None] * (len(sums) // 2)

    def cdf(self, i: int) -> list[float]:
        mean, squares = self.sums[i], self.sums[len(self.cdfs) + i]
        if mean <= 1e-12:
            cdf = [1.0]
        else:
            trials = max(1, round(mean * mean / squares))
            key = (trials, round(min(mean / trials, 1.0), 4))
            found = self.cache.get(key)
            if found is None:
                if len(self.cache) > 4096:
                    self.cache.clear()
                found = self.cache[key] = binomial_cdf(trials, key[1])
            cdf = found
        self.cdfs[i] = cdf
        return cdf


def binomial_cdf(n: int, r: float) -> list[float]:
    """P(X <= k), X ~ Binomial(n, r), for k = 0, 1, ... until it is within _EPS of 1."""
    if n <= 0 or r <= 0.0:
        return [1.0]
    r = min(r, 1.0 - 1e-12)
    ratio = r / (1.0 - r)
    p = (1.0 - r) ** n
    out = [p]
    below = p
    k = 0
    while below < 1.0 - _EPS and k < n:
        p *= (n - k) / (k + 1) * ratio
        k += 1
        below += p
        out.append(below)
    out[-1] = 1.0
    return out


def short_tail(mu: float, freed: list[float], d: int) -> float:
    """P(X_A - X_F >= d), X_A ~ Poisson(mu), X_F with CDF `freed` (from `binomial_cdf`):
    the sum over j >= d of P(X_A = j) P(X_F <= j - d)."""
    pa = math.exp(-mu)
    below = 0.0  # P(X_A < j)
    j = 0
    while j < d:
        below += pa
        j += 1
        pa *= mu / j
    index = j - d
    size = len(freed)
    total = 0.0
    while index < size:
        total += pa * freed[index]
        below += pa
        j += 1
        pa *= mu / j
        index += 1
        if pa < _EPS and j > mu:
            return min(total, 1.0)
    # X_F <= j - d surely from here on: the rest of X_A's tail counts whole
    return min(total + max(1.0 - below, 0.0), 1.0)


def binomial_tail(n: int, p: float, freed: list[float], d: int) -> float:
    """P(X_A - X_F >= d), X_A ~ Binomial(n, p), X_F with CDF `freed`."""
    size = len(freed)
    if p >= 1.0:
        index = n - d
        return 0.0 if index < 0 else 1.0 if index >= size else freed[index]
    ratio = p / (1.0 - p)
    pa = (1.0 - p) ** n
    below = 0.0
    j = 0
    while j < d:
        below += pa
        pa *= (n - j) / (j + 1) * ratio
        j += 1
    index = j - d
    total = 0.0
    while index < size:
        if j > n:
            return min(total, 1.0)
        total += pa * freed[index]
        below += pa
        pa *= (n - j) / (j + 1) * ratio
        j += 1
        index += 1
    return min(total + max(1.0 - below, 0.0), 1.0)
