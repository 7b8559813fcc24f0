"""Trunk choice: which trunk carries each of the next K calls of a campaign. Pure.

Each tick the engine loop calls `choose(book, trunks, in_flight, k, now, max_channels)` and
originates the calls on the returned `Choice.picks`. Once per call, as soon as the trunk's part is
known (the call fails to set up, or it rings or is answered; at its end if that is simpler), it
calls `record(book, trunk, trunk_failure(sip_status, cause), now, started_at)`. `book` (a
`TrunkBook`) is the only state: token buckets, round-robin credit, recent outcomes and breaker per
trunk; both functions return a new one. `now` and `started_at` are monotonic seconds. `specs` builds
the `TrunkSpec`s from a campaign's trunk_policy and its providers' maxCps and enabled.

A trunk may take a call when it is enabled, has a positive weight, is not backed off, has fewer
calls in flight than its cap (the campaign's caps[trunk], else its maxChannels), and holds a CPS
token. The campaign as a whole stays under maxChannels. Among the trunks that may, the picks follow
the weights by smooth weighted round robin (nginx's): every eligible trunk gains its weight in
credit, the richest is picked and pays the eligible total. It is deterministic (ties go to the first
name in sorted order), spreads picks evenly rather than in runs, and a trunk left out (capped,
throttled, backed off) neither gains nor loses credit, so its share goes to the others and it does
not burst to catch up when it returns.

CPS: a token bucket per trunk, refilled at `TrunkSpec.max_cps` tokens a second up to `burst_s`
seconds' worth (default 1 s: a tick once a second launches at most maxCps calls per trunk; in the
worst case, a full bucket spent at the end of one second and a refill at the start of the next, any
sliding 1 s window holds at most 2 x maxCps).

Sharing. Several campaigns may share one book, so that they draw on one CPS bucket and one breaker
per trunk: a trunk backed off for one is backed off for all, and calls per second one campaign
leaves unused go to another. The round-robin credit stays each campaign's own (their weights
differ): a campaign lays its credit over the shared book with `with_credits` before `choose`, and
keeps `credits_of` the result. Every campaign sharing a book passes the same `max_cps` for a trunk
(the refill is shared too). Where the bucket and the backoff are shared further, between replicas,
the book mirrors them: `with_tokens` sets a bucket to the level the shared one holds, `back_off`
backs a trunk off until another replica said, and `backed_off_until` is what to tell the others.

Backoff (a circuit breaker per trunk). `trunk_failure` says whether a call failed because of the
trunk: SIP 5xx (503 included), or causes GATEWAY_DOWN, NORMAL_TEMPORARY_FAILURE, NETWORK_OUT_OF_ORDER,
NORMAL_CIRCUIT_CONGESTION, SWITCH_CONGESTION, RECOVERY_ON_TIMER_EXPIRE (the trunk did not answer the
INVITE). Busy, no answer, rejected or invalid numbers are the callee's and count as successes. With
`BackoffPolicy`'s defaults a trunk opens (is backed off) when, among its calls of the last 120 s (at
most the last 20), 5 in a row failed, or at least 10 were seen and half of them failed. It stays
open 10 s, then 20, 40, ... up to 300 s on each failure in a row; once the time is up it is
half-open: one probe call at a time (a probe not heard of in 60 s no longer blocks the next);
3 successful probes close it (backoff and history reset), a failed probe reopens it for the next,
longer, period. Outcomes of calls started before the trunk opened are ignored: they tell of the
failure already acted on, not of the probe.

When fewer than K calls can be placed, `Choice.reason` says why, one stable code: `max_channels`,
`no_trunks` (the policy names none), `disabled`, `at_cap`, `cps`, `backed_off`, or `mixed` (trunks
blocked for different reasons; `Choice.blocked` has each trunk's), and `Choice.retry_at` the
earliest monotonic time a CPS token or a probe frees up.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

SAME_BACKOFF_S = 1.0  # backoffs ending this close together are one (clocks differ by a little)
TRUNK_CAUSES = frozenset(
    {
        "GATEWAY_DOWN",
        "NORMAL_TEMPORARY_FAILURE",
        "NETWORK_OUT_OF_ORDER",
        "NORMAL_CIRCUIT_CONGESTION",
        "SWITCH_CONGESTION",
        "RECOVERY_ON_TIMER_EXPIRE",
    }
)


def trunk_failure(sip_status: int | None, hangup_cause: str | None) -> bool:
    """The call failed because of the trunk or its carrier, not the number called."""
    if sip_status is not None and 500 <= sip_status <= 599:
        return True
    return (hangup_cause or "").strip().upper() in TRUNK_CAUSES


@dataclass(frozen=True)
class TrunkSpec:
    """A trunk as one campaign sees it: the provider's enabled and maxCps, the policy's weight and cap."""

    name: str
    weight: float
    max_cps: float
    enabled: bool = True
    cap: int | None = None  # most calls in flight; None: only maxChannels


def specs(policy: Mapping[str, Mapping[str, float]], providers: Mapping[str, tuple[float, bool]]) -> list[TrunkSpec]:
    """From a campaign's trunk_policy ({"weights": {...}, "caps": {...}}) and {trunk: (maxCps, enabled)};
    a trunk the providers do not know is kept, disabled, so `choose` can say so."""
    caps = policy.get("caps", {})
    out = []
    for name, weight in sorted(policy.get("weights", {}).items()):
        cps, enabled = providers.get(name, (0.0, False))
        cap = caps.get(name)
        out.append(TrunkSpec(name, float(weight), float(cps), enabled, None if cap is None else int(cap)))
    return out


@dataclass(frozen=True)
class BackoffPolicy:
    window_s: float = 120.0  # outcomes older than this are forgotten
    window_calls: int = 20  # and only the last this many are kept
    min_calls: int = 10  # the ratio is judged from this many outcomes on
    failure_ratio: float = 0.5  # open at this share of trunk failures
    consecutive: int = 5  # or at this many trunk failures in a row
    base_s: float = 10.0  # first backoff
    factor: float = 2.0
    max_s: float = 300.0
    probe_timeout_s: float = 60.0  # a probe not heard of by then stops blocking the next
    close_after: int = 3  # successful probes that close the breaker


class Breaker(str, enum.Enum):
    closed = "closed"
    open = "open"
    half_open = "half_open"


@dataclass(frozen=True)
class TrunkState:
    tokens: float | None = None  # None: a full bucket (never drawn on)
    refilled_at: float = 0.0
    credit: float = 0.0  # smooth weighted round robin
    recent: tuple[tuple[float, bool], ...] = ()  # (ended at, trunk failure), oldest first
    breaker: Breaker = Breaker.closed
    opened_at: float | None = None
    open_until: float = 0.0
    level: int = 0  # failed openings in a row: the backoff is base_s * factor**(level-1)
    probe_at: float | None = None  # when the outstanding probe started
    probe_successes: int = 0


@dataclass(frozen=True)
class TrunkBook:
    trunks: Mapping[str, TrunkState] = field(default_factory=lambda: MappingProxyType({}))
    backoff: BackoffPolicy = BackoffPolicy()
    burst_s: float = 1.0

    def state(self, name: str) -> TrunkState:
        return self.trunks.get(name) or TrunkState()


@dataclass(frozen=True)
class Choice:
    picks: tuple[str, ...]  # one trunk per call, in order
    book: TrunkBook
    reason: str | None = None  # when fewer than k: why
    blocked: Mapping[str, str] = field(default_factory=dict)  # trunk -> why it took no (more) calls
    retry_at: float | None = None  # earliest monotonic time a blocked trunk may free up (CPS, probe)


def choose(
    book: TrunkBook,
    trunks: list[TrunkSpec],
    in_flight: Mapping[str, int],
    k: int,
    now: float,
    max_channels: int | None = None,
) -> Choice:
    """Trunks for up to k new calls; in_flight counts this campaign's calls per trunk."""
    trunks = sorted(trunks, key=lambda t: t.name)  # ties go to the first name
    states = {t.name: _tick(book.state(t.name), t, now, book) for t in trunks}
    busy = dict(in_flight)
    room = k if max_channels is None else min(k, max_channels - sum(in_flight.values()))
    picks: list[str] = []
    blocked: dict[str, str] = {}
    while len(picks) < room:
        eligible = []
        for t in trunks:
            why = _blocked(t, states[t.name], busy.get(t.name, 0), max_channels, now, book)
            if why:
                blocked[t.name] = why
            else:
                blocked.pop(t.name, None)
                eligible.append(t)
        if not eligible:
            break
        total = sum(t.weight for t in eligible)
        for t in eligible:
            states[t.name] = replace(states[t.name], credit=states[t.name].credit + t.weight)
        best = max(eligible, key=lambda t: states[t.name].credit)  # the first of the richest
        s = states[best.name]
        s = replace(s, credit=s.credit - total, tokens=(s.tokens or 0.0) - 1.0)
        if s.breaker is Breaker.half_open:
            s = replace(s, probe_at=now)
        states[best.name] = s
        busy[best.name] = busy.get(best.name, 0) + 1
        picks.append(best.name)
    if len(picks) >= k:
        reason, blocked = None, {}
    elif len(picks) >= room:
        reason, blocked = "max_channels", {}
    else:
        reason = _summary(blocked, trunks)
    retry = [_free_at(states[t.name], t, now, book) for t in trunks if t.name in blocked]
    return Choice(
        tuple(picks),
        replace(book, trunks=MappingProxyType({**book.trunks, **states})),
        reason,
        MappingProxyType(blocked),
        min((r for r in retry if r is not None), default=None),
    )


def with_credits(book: TrunkBook, credits: Mapping[str, float]) -> TrunkBook:
    """`book` (perhaps shared with other campaigns) with one campaign's round-robin credit."""
    names = {*book.trunks, *credits}
    return replace(
        book, trunks=MappingProxyType({n: replace(book.state(n), credit=credits.get(n, 0.0)) for n in names})
    )


def credits_of(book: TrunkBook) -> dict[str, float]:
    """The round-robin credit in `book`, to keep for the campaign that just chose with it."""
    return {name: s.credit for name, s in book.trunks.items() if s.credit}


def with_tokens(book: TrunkBook, tokens: Mapping[str, float], now: float) -> TrunkBook:
    """`book` with these trunks' CPS buckets at these levels as of `now`: a bucket that several
    replicas draw on lives outside the book, and the book mirrors what it last held."""
    states = {n: replace(book.state(n), tokens=level, refilled_at=now) for n, level in tokens.items()}
    return replace(book, trunks=MappingProxyType({**book.trunks, **states}))


def back_off(book: TrunkBook, trunk: str, until: float, now: float) -> TrunkBook:
    """Another campaign or replica found `trunk` failing and backed it off until `until`: back it off
    here too (unless it already is, for as long). The level of the next backoff stays this book's."""
    s = book.state(trunk)
    if until <= now or (s.breaker is Breaker.open and s.open_until >= until - SAME_BACKOFF_S):
        return book
    return _with(
        book, trunk, replace(s, breaker=Breaker.open, opened_at=now, open_until=until, probe_at=None, probe_successes=0)
    )


def backed_off_until(book: TrunkBook, trunk: str) -> float | None:
    """Until when `trunk` is backed off (open), if it is."""
    s = book.state(trunk)
    return s.open_until if s.breaker is Breaker.open else None


def record(book: TrunkBook, trunk: str, failed: bool, now: float, started_at: float | None = None) -> TrunkBook:
    """A call on `trunk` ended (or failed to start); `failed` is `trunk_failure(...)`."""
    policy = book.backoff
    s = book.state(trunk)
    if s.breaker is Breaker.open and now >= s.open_until:
        s = replace(s, breaker=Breaker.half_open, probe_at=None, probe_successes=0)
    stale = started_at is not None and s.opened_at is not None and started_at < s.opened_at
    if s.breaker is Breaker.open or stale:
        return _with(book, trunk, s)
    if s.breaker is Breaker.half_open:
        if failed:
            return _with(book, trunk, _open(s, now, policy))
        s = replace(s, probe_at=None, probe_successes=s.probe_successes + 1)
        if s.probe_successes >= policy.close_after:
            s = replace(s, breaker=Breaker.closed, level=0, recent=(), probe_successes=0)
        return _with(book, trunk, s)
    recent = tuple(o for o in (*s.recent, (now, failed)) if o[0] > now - policy.window_s)[-policy.window_calls :]
    s = replace(s, recent=recent)
    failures = sum(f for _, f in recent)
    tail = recent[-policy.consecutive :]
    burst = len(tail) == policy.consecutive and all(f for _, f in tail)
    if burst or (len(recent) >= policy.min_calls and failures >= policy.failure_ratio * len(recent)):
        s = _open(s, now, policy)
    return _with(book, trunk, s)


def _open(s: TrunkState, now: float, policy: BackoffPolicy) -> TrunkState:
    level = s.level + 1
    wait = min(policy.max_s, policy.base_s * policy.factor ** (level - 1))
    return replace(
        s, breaker=Breaker.open, opened_at=now, open_until=now + wait, level=level, probe_at=None, probe_successes=0
    )


def _with(book: TrunkBook, trunk: str, s: TrunkState) -> TrunkBook:
    return replace(book, trunks=MappingProxyType({**book.trunks, trunk: s}))


def _tick(s: TrunkState, t: TrunkSpec, now: float, book: TrunkBook) -> TrunkState:
    """Refill the bucket; an open breaker whose time is up becomes half-open."""
    size = max(1.0, t.max_cps * book.burst_s)
    tokens = size if s.tokens is None else min(size, s.tokens + max(0.0, now - s.refilled_at) * t.max_cps)
    s = replace(s, tokens=tokens, refilled_at=now)
    if s.breaker is Breaker.open and now >= s.open_until:
        s = replace(s, breaker=Breaker.half_open, probe_at=None, probe_successes=0)
    return s


def _blocked(
    t: TrunkSpec, s: TrunkState, busy: int, max_channels: int | None, now: float, book: TrunkBook
) -> str | None:
    if not t.enabled or t.max_cps <= 0:
        return "disabled"
    if t.weight <= 0:
        return "zero_weight"
    if s.breaker is Breaker.open:
        return "backed_off"
    if s.breaker is Breaker.half_open and s.probe_at is not None and now - s.probe_at < book.backoff.probe_timeout_s:
        return "backed_off"  # a probe is out
    cap = t.cap if t.cap is not None else max_channels
    if cap is not None and busy >= cap:
        return "at_cap"
    if (s.tokens or 0.0) < 1.0:
        return "cps"
    return None


def _summary(blocked: Mapping[str, str], trunks: list[TrunkSpec]) -> str:
    if not trunks:
        return "no_trunks"
    # A trunk with no weight is the policy's choice, not a cause: it is named only if nothing else is.
    reasons = {r for r in blocked.values() if r != "zero_weight"} or set(blocked.values())
    if reasons == {"zero_weight"}:
        return "no_trunks"
    return reasons.pop() if len(reasons) == 1 else "mixed"


def _free_at(s: TrunkState, t: TrunkSpec, now: float, book: TrunkBook) -> float | None:
    if s.breaker is Breaker.open:
        return s.open_until
    if s.breaker is Breaker.half_open and s.probe_at is not None:
        return s.probe_at + book.backoff.probe_timeout_s
    if t.enabled and t.max_cps > 0 and (s.tokens or 0.0) < 1.0:
        return now + (1.0 - (s.tokens or 0.0)) / t.max_cps
    return None
