"""A discrete-event simulator of the pacing benchmark (../shared/PACING-FACTS.md), in simulated time.

The model: N agents logged in all the time, never paused. A dial ends as

* a live human, p = 0.30: answers after lognormal(mean 10 s, sd 5 s) clipped to [2 s, 25 s];
* a machine, p = 0.15: answers after lognormal(mean 15 s, sd 5 s), AMD says so 3 s later and the
  line is dropped (the pacer learns it then; 18 s of line on average);
* no answer, p = 0.45: given up at the 25 s ring timeout;
* busy, SIT or failure, p = 0.10: after 4 s.

An answered human goes to the longest-idle free agent at once, or waits, first come first served,
for one to free up; after `patience_s` (2 s) without one it is abandoned. Handle time (talk +
wrap-up) per bridged call: exponential with mean 240 s, or (`handle="lognormal"`) lognormal talk
with mean 210 s and CV 1 plus a fixed 30 s wrap-up (mean 240 s too). Occupancy = handling time /
logged-in time. Counting starts after `warmup_s` (15 min) and lasts `hours` (8); humans count in
the window of their answer, dials in that of their dial, handling time clipped to the window.

The drifting day (`drifting_day`): the live-answer share moves 30 % -> 15 % -> 40 % without
telling the pacer, at one third and two thirds of the measured day (warm-up at 30 %); the other
outcomes keep their proportions among themselves (machine : no answer : failed = 15 : 45 : 10).

The policy is driven only through its public interface (dialer.engine.pacing): `decide(Snapshot)`
after every event and on a 1 s tick, `observe(DialOutcome)` when a dial settles (a human once it
was bridged or abandoned), `observe_handle(seconds)` when an agent finishes a call, and
`new_day()` once, when the measured day begins (the engine calls it at the start of each day: the
day whose abandon rate is counted is the day whose budget the pacer trims on). Pure:
randomness comes from `random.Random(seed)`, time is simulated, nothing is read or written.
"""

from __future__ import annotations

import heapq
import math
import random
from collections import deque
from dataclasses import dataclass, field
from typing import Protocol

from dialer.engine.outcome_model import DialOutcome, lognormal_params
from dialer.engine.pacing import Snapshot

HUMAN_MEAN, HUMAN_SD, HUMAN_MIN, HUMAN_MAX = 10.0, 5.0, 2.0, 25.0
MACHINE_MEAN, MACHINE_SD, AMD_S = 15.0, 5.0, 3.0
RING_TIMEOUT_S = 25.0
FAIL_S = 4.0
OTHERS = (0.15, 0.45, 0.10)  # machine, no answer, failed at the base 30 % live answers

_TICK, _ANSWER, _SETTLE, _FREE, _PATIENCE = range(5)
_MACHINE, _NO_ANSWER, _FAILED = range(3)


class Policy(Protocol):
    def decide(self, snap: Snapshot, cap: int | None = None) -> int: ...
    def observe(self, outcome: DialOutcome) -> None: ...
    def observe_handle(self, seconds: float) -> None: ...
    def new_day(self, history: tuple[int, int] = (0, 0)) -> None: ...


@dataclass(frozen=True)
class SimConfig:
    agents: int
    hours: float = 8.0
    warmup_s: float = 900.0
    seed: int = 0
    handle: str = "exponential"  # or "lognormal": lognormal talk (CV 1) + fixed wrap-up
    aht_s: float = 240.0
    wrap_s: float = 30.0
    patience_s: float = 2.0
    # (from this simulated second on, the live-answer share); the first entry starts at 0
    human_share: tuple[tuple[float, float], ...] = ((0.0, 0.30),)
    window_s: float = 1800.0
    tick_s: float = 1.0
    max_channels: int = 1_000_000


def drifting_day(agents: int, seed: int = 0, hours: float = 8.0, **kwargs: object) -> SimConfig:
    warmup = float(kwargs.pop("warmup_s", 900.0))  # type: ignore[arg-type]
    third = hours * 3600.0 / 3.0
    shares = ((0.0, 0.30), (warmup + third, 0.15), (warmup + 2 * third, 0.40))
    return SimConfig(agents, hours, warmup, seed, human_share=shares, **kwargs)  # type: ignore[arg-type]


@dataclass
class SimResult:
    agents: int
    hours: float
    occupancy: float
    humans: int
    abandoned: int
    dials: int
    connects: int
    windows: list[tuple[int, int]] = field(default_factory=list)  # (humans, abandoned) per window

    @property
    def abandon_rate(self) -> float:
        return self.abandoned / self.humans if self.humans else 0.0

    @property
    def worst_window(self) -> float:
        return max((a / h for h, a in self.windows if h), default=0.0)

    @property
    def dials_per_agent_hour(self) -> float:
        return self.dials / (self.agents * self.hours)

    @property
    def connects_per_agent_hour(self) -> float:
        return self.connects / (self.agents * self.hours)


def simulate(policy: Policy, config: SimConfig) -> SimResult:
    rng = random.Random(config.seed)
    lognorm = rng.lognormvariate
    uniform = rng.random
    h_mu, h_sigma = lognormal_params(HUMAN_MEAN, HUMAN_SD)
    m_mu, m_sigma = lognormal_params(MACHINE_MEAN, MACHINE_SD)
    talk_mean = config.aht_s - config.wrap_s
    t_mu, t_sigma = lognormal_params(talk_mean, talk_mean)
    exponential = config.handle == "exponential"
    aht, wrap, patience = config.aht_s, config.wrap_s, config.patience_s
    start, end = config.warmup_s, config.warmup_s + config.hours * 3600.0
    shares = sorted(config.human_share)
    n_windows = max(1, math.ceil(config.hours * 3600.0 / config.window_s))
    win_h = [0] * n_windows
    win_a = [0] * n_windows

    events: list[tuple[float, int, int, float]] = []  # (time, seq, kind, payload)
    seq = 0
    idle = config.agents
    busy: dict[int, float] = {}  # call id -> when its agent took it
    flight: dict[int, float] = {}  # call id -> dial time
    waiting: deque[tuple[int, float]] = deque()  # (call id, answer time)
    busy_t: tuple[float, ...] = ()
    flight_t: tuple[float, ...] = ()
    busy_dirty = flight_dirty = False
    handled = 0.0
    dials = connects = humans = abandoned = 0
    next_id = 0
    share_at = 0  # index into shares
    p_human = shares[0][1]

    def handle_time() -> float:
        if exponential:
            return rng.expovariate(1.0 / aht)
        return lognorm(t_mu, t_sigma) + wrap

    def count_human(t_answer: float, lost: bool) -> None:
        nonlocal humans, abandoned
        if start <= t_answer < end:
            humans += 1
            abandoned += lost
            w = min(int((t_answer - start) / config.window_s), n_windows - 1)
            win_h[w] += 1
            win_a[w] += lost

    def bridge(call: int, t: float, t_answer: float, dialled: float) -> None:
        nonlocal seq, connects, busy_dirty
        busy[call] = t
        busy_dirty = True
        seq += 1
        heapq.heappush(events, (t + handle_time(), seq, _FREE, float(call)))
        if start <= t < end:
            connects += 1
        count_human(t_answer, False)
        policy.observe(DialOutcome.human(t_answer - dialled, abandoned=False))

    human_dial: dict[int, float] = {}  # answered humans: call id -> dial time
    pending: dict[int, DialOutcome] = {}  # machines, no answers, failures: what the pacer will hear
    heapq.heappush(events, (0.0, 0, _TICK, 0.0))
    day_started = False
    while events:
        t, _, kind, payload = heapq.heappop(events)
        if t >= end:
            break
        if not day_started and t >= start:
            policy.new_day()  # the measured day is the day whose abandon rate counts
            day_started = True
        call = int(payload)
        if kind == _TICK:
            seq += 1
            heapq.heappush(events, (t + config.tick_s, seq, _TICK, 0.0))
        elif kind == _ANSWER:
            dialled = flight.pop(call)
            flight_dirty = True
            if idle > 0 and not waiting:
                idle -= 1
                bridge(call, t, t, dialled)
            else:
                waiting.append((call, t))
                human_dial[call] = dialled
                seq += 1
                heapq.heappush(events, (t + patience, seq, _PATIENCE, payload))
        elif kind == _SETTLE:
            flight.pop(call)
            flight_dirty = True
            policy.observe(pending.pop(call))
        elif kind == _FREE:
            began = busy.pop(call)
            busy_dirty = True
            handled += max(0.0, min(t, end) - max(began, start))
            policy.observe_handle(t - began)
            if waiting:
                waiter, answered = waiting.popleft()
                bridge(waiter, t, answered, human_dial.pop(waiter))
            else:
                idle += 1
        else:  # _PATIENCE: the first in line, if still waiting, gives up
            if waiting and waiting[0][0] == call:
                _, answered = waiting.popleft()
                count_human(answered, True)
                policy.observe(DialOutcome.human(answered - human_dial.pop(call), abandoned=True))
        # decide
        if busy_dirty:
            busy_t = tuple(busy.values())
            busy_dirty = False
        if flight_dirty:
            flight_t = tuple(flight.values())
            flight_dirty = False
        snap = Snapshot(t, idle, busy_t, flight_t, tuple(a for _, a in waiting) if waiting else ())
        launch = policy.decide(snap)
        if launch <= 0:
            continue
        launch = min(launch, config.max_channels - len(flight) - len(waiting) - len(busy))
        while share_at + 1 < len(shares) and shares[share_at + 1][0] <= t:
            share_at += 1
            p_human = shares[share_at][1]
        scale = (1.0 - p_human) / sum(OTHERS)
        p_machine = p_human + OTHERS[0] * scale
        p_no_answer = p_machine + OTHERS[1] * scale
        for _ in range(launch):
            next_id += 1
            flight[next_id] = t
            if start <= t < end:
                dials += 1
            u = uniform()
            seq += 1
            if u < p_human:
                answer = min(max(lognorm(h_mu, h_sigma), HUMAN_MIN), HUMAN_MAX)
                heapq.heappush(events, (t + answer, seq, _ANSWER, float(next_id)))
            elif u < p_machine:
                answer = lognorm(m_mu, m_sigma)
                heapq.heappush(events, (t + answer + AMD_S, seq, _SETTLE, float(next_id)))
                pending[next_id] = DialOutcome.machine(answer, AMD_S)
            elif u < p_no_answer:
                heapq.heappush(events, (t + RING_TIMEOUT_S, seq, _SETTLE, float(next_id)))
                pending[next_id] = DialOutcome.no_answer(RING_TIMEOUT_S)
            else:
                heapq.heappush(events, (t + FAIL_S, seq, _SETTLE, float(next_id)))
                pending[next_id] = DialOutcome.failed(FAIL_S)
        flight_t = tuple(flight.values())
    for began in busy.values():
        handled += max(0.0, end - max(began, start))
    occupancy = handled / (config.agents * (end - start))
    return SimResult(
        config.agents, config.hours, occupancy, humans, abandoned, dials, connects, list(zip(win_h, win_a, strict=True))
    )
