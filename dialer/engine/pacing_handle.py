"""Busy agents: how likely is each to be free within the next few seconds, given how long it has
been on its call?

The look-ahead (dialer.engine.pacing_lookahead) needs, for every busy agent and every horizon h
(a candidate call's answer time plus the patience), P(the agent is free by now + h). With
exponential handle times that is 1 - exp(-h / AHT) whatever the agent's elapsed time e. Real handle
times are not memoryless: a fixed wrap-up means nobody who took a call seconds ago frees up now,
and talk times are skewed. So the distribution of handle times (talk + wrap-up, as the engine
reports them) is learned online and each busy agent gets the conditional residual

    r(e, h) = (S(e) - S(e + h)) / S(e),    S = the learned survival function.

Histogram: 1 s bins below `LIN_S` (sharp features such as a fixed wrap-up sit there), then bins
growing by `GROWTH` (4 %) each up to `TOP_S`: wide bins where the data is thin smooth the
conditional residual of long calls, where a few dozen observations would otherwise decide. It
forgets geometrically over about `HANDLE_WINDOW` calls (the handle times of a campaign drift
slowly). Until `MIN_HANDLES` calls were seen, and for agents whose elapsed time lies past what
the data supports (fewer than `TAIL_OBS` observations longer), handle time is taken as
memoryless with the running mean AHT: the old behaviour, never a guess from a handful of calls.

Rows are cached per elapsed bin: one row (r and r^2 per horizon) per bin that a busy agent sits
in, filled on first use. Per decision the cost is one index and one row lookup per busy agent.
"""

from __future__ import annotations

import math

LIN_S = 60.0  # 1 s bins below this...
GROWTH = 1.04  # ...then each bin 4 % wider than the last...
TOP_S = 4 * 3600.0  # ...up to here; longer calls share the last bin
N_LIN = int(LIN_S)
N_HANDLE_BINS = N_LIN + math.ceil(math.log(TOP_S / LIN_S) / math.log(GROWTH)) + 1
_LOG_GROWTH = math.log(GROWTH)
HANDLE_WINDOW = 3000  # calls the distribution forgets over
MIN_HANDLES = 100  # calls before the learned distribution is used
REUSE_HANDLES = 100  # rows are rebuilt after this many new calls...
REUSE_S = 0.25  # ...or when a horizon moved by more than this
TAIL_OBS = 20.0  # observations beyond the elapsed time needed to trust its conditional residual


def handle_bin(seconds: float) -> int:
    """The bin of a handle (or elapsed) time."""
    if seconds < LIN_S:
        return max(int(seconds), 0)
    return min(N_LIN + int(math.log(seconds / LIN_S) / _LOG_GROWTH), N_HANDLE_BINS - 1)


def bin_start(k: int) -> float:
    return float(k) if k <= N_LIN else LIN_S * GROWTH ** (k - N_LIN)


# Elapsed times of busy agents are looked up every decision: a per-second index saves the log.
_BY_SECOND = [handle_bin(s + 0.5) for s in range(2 * 3600)]


class HandleHistogram:
    """Handle times on the bins above, forgetting geometrically (newest weighs `gain`)."""

    __slots__ = ("count", "gain", "growth", "weights")

    def __init__(self, window: int = HANDLE_WINDOW) -> None:
        self.weights = [0.0] * N_HANDLE_BINS
        self.gain = 1.0
        self.growth = 1.0 / (1.0 - 1.0 / window)
        self.count = 0

    def add(self, seconds: float) -> None:
        self.weights[handle_bin(seconds)] += self.gain
        self.count += 1
        self.gain *= self.growth
        if self.gain > 1e150:
            self.weights = [w / self.gain for w in self.weights]
            self.gain = 1.0

    def survival(self) -> tuple[list[float], float] | None:
        """(S at the start of each bin, the equivalent number of observations), or None while
        fewer than MIN_HANDLES calls were seen."""
        total = sum(self.weights)
        if self.count < MIN_HANDLES or total <= 0.0:
            return None
        out = []
        above = total
        for w in self.weights:
            out.append(above / total)
            above -= w
        # a geometrically forgetting sum is worth about its window in observations
        n_eff = float(min(self.count, HANDLE_WINDOW))
        return out, n_eff


def survival_at(survival: list[float], seconds: float) -> float:
    """S(seconds), linear within a bin (the last bin, unbounded, decays over one bin width)."""
    k = handle_bin(seconds)
    lo = bin_start(k)
    hi = bin_start(k + 1)
    s_lo = survival[k]
    s_hi = survival[k + 1] if k + 1 < len(survival) else 0.0
    frac = min(max((seconds - lo) / (hi - lo), 0.0), 1.0)
    return s_lo + (s_hi - s_lo) * frac


class FreeRows:
    """r(e, h) and r(e, h)^2 for the horizons `horizons` (seconds), per elapsed bin, from a learned
    survival function (`HandleHistogram.survival`) or, without one, memoryless with mean `aht_s`."""

    __slots__ = ("aht_s", "handles", "horizons", "memoryless", "n_eff", "rows", "survival")

    def __init__(
        self, horizons: tuple[float, ...], survival: tuple[list[float], float] | None, aht_s: float, handles: int = 0
    ) -> None:
        self.horizons = horizons
        self.aht_s = aht_s
        self.handles = handles  # calls learned from when built
        self.memoryless = tuple(1.0 - math.exp(-h / aht_s) for h in horizons)
        self.survival, self.n_eff = survival if survival is not None else (None, 0.0)
        self.rows: list[tuple[float, ...] | None] = [None] * N_HANDLE_BINS

    def still_fits(self, horizons: tuple[float, ...], handles: int, aht_s: float) -> bool:
        """Whether these rows may stand for ones built now: horizons within REUSE_S, fewer than
        REUSE_HANDLES new calls learned (the distribution forgets over thousands), and, while
        memoryless, the AHT within 1 %."""
        if (self.survival is None) != (handles < MIN_HANDLES):
            return False  # the learned distribution just became usable
        if self.survival is not None and handles - self.handles >= REUSE_HANDLES:
            return False
        if self.survival is None and abs(aht_s - self.aht_s) > 0.01 * self.aht_s:
            return False
        return all(abs(a - b) <= REUSE_S for a, b in zip(horizons, self.horizons, strict=True))

    def _row(self, k: int) -> tuple[float, ...]:
        r: tuple[float, ...] = self.memoryless
        s = self.survival
        if s is not None:
            # the bin's middle stands for every elapsed time in it (1 s bins where it matters)
            e = 0.5 * (bin_start(k) + bin_start(k + 1)) if k > 0 else 0.5
            alive = survival_at(s, e)
            if alive * self.n_eff >= TAIL_OBS:
                r = tuple(min(max(1.0 - survival_at(s, e + h) / alive, 0.0), 1.0) for h in self.horizons)
        row = r + tuple(x * x for x in r)
        self.rows[k] = row
        return row

    def sums(self, elapsed: list[float]) -> list[float]:
        """Per horizon: the expected number of these busy agents free by then (sum of r), then
        (after all of those) the sum of r^2."""
        if not elapsed:
            return [0.0] * (2 * len(self.horizons))
        rows = self.rows
        top = len(_BY_SECOND)
        picked = []
        for e in elapsed:
            k = _BY_SECOND[int(e)] if 0.0 <= e < top else handle_bin(e)
            row = rows[k]
            picked.append(row if row is not None else self._row(k))
        return [sum(col) for col in zip(*picked, strict=True)]
