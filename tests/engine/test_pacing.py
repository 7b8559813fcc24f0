"""dialer.engine.pacing: the modes, maxChannels, the predictive look-ahead's structure, the fallback
to progressive, the learned contact rate, the abandon trim, and a short simulated hour."""

from __future__ import annotations

import math
import random

import pytest

from dialer.engine.outcome_model import DialKind, DialOutcome, OutcomeModel
from dialer.engine.pacing import MIN_AGENTS, AbandonTrim, Mode, PacingPolicy, PacingSettings, Snapshot
from dialer.engine.pacing_handle import MIN_HANDLES, FreeRows, HandleHistogram
from dialer.engine.pacing_lookahead import binomial_cdf, binomial_tail, short_tail
from dialer.engine.simulation import SimConfig, simulate

NOW = 10_000.0


def snap(idle: int, busy: int = 0, ringing: tuple[float, ...] = (), waiting: int = 0, **kw: object) -> Snapshot:
    """A snapshot at NOW: `ringing` are ring ages in seconds; busy agents took their calls 60 s ago."""
    return Snapshot(
        NOW,
        idle,
        busy_since=(NOW - 60.0,) * busy,
        dialled_at=tuple(NOW - a for a in ringing),
        waiting_since=(NOW - 0.5,) * waiting,
        **kw,  # type: ignore[arg-type]
    )


def benchmark_outcome(rng: random.Random, p_human: float = 0.30) -> DialOutcome:
    """A finished dial drawn from the benchmark model (PACING-FACTS.md)."""
    u = rng.random()
    if u < p_human:
        return DialOutcome.human(min(max(rng.lognormvariate(2.19, 0.47), 2.0), 25.0))
    rest = (u - p_human) / (1.0 - p_human)
    if rest < 0.15 / 0.70:
        return DialOutcome.machine(rng.lognormvariate(2.65, 0.33), 3.0)
    if rest < 0.60 / 0.70:
        return DialOutcome.no_answer(25.0)
    return DialOutcome.failed(4.0)


def trained(settings: PacingSettings | None = None, dials: int = 600, **kw: object) -> PacingPolicy:
    policy = PacingPolicy(settings or PacingSettings(max_channels=1000), **kw)  # type: ignore[arg-type]
    rng = random.Random(7)
    for _ in range(dials):
        policy.observe(benchmark_outcome(rng))
    for _ in range(50):
        policy.observe_handle(rng.expovariate(1 / 240))
    return policy


# -- progressive, power, preview -------------------------------------------------------------------


def test_progressive_keeps_one_call_in_flight_per_idle_agent() -> None:
    policy = PacingPolicy(PacingSettings(mode=Mode.progressive, max_channels=100))
    assert policy.decide(snap(idle=3)) == 3
    assert policy.decide(snap(idle=3, ringing=(1.0,))) == 2
    assert policy.decide(snap(idle=3, ringing=(1.0, 2.0, 3.0))) == 0
    assert policy.decide(snap(idle=3, ringing=(1.0, 2.0, 3.0, 4.0))) == 0
    # a waiting human takes an idle agent: one call fewer
    assert policy.decide(snap(idle=3, waiting=1)) == 2
    assert policy.decide(snap(idle=0, busy=10)) == 0
    assert policy.last_reason == "no idle agent"


@pytest.mark.parametrize("mode", [Mode.power, Mode.preview])
def test_power_and_preview_place_ratio_lines_per_idle_agent(mode: Mode) -> None:
    policy = PacingPolicy(PacingSettings(mode=mode, ratio=2.5, max_channels=100))
    assert policy.decide(snap(idle=2)) == 5
    assert policy.decide(snap(idle=2, ringing=(3.0, 4.0))) == 3
    assert policy.decide(snap(idle=1)) == 3  # 2.5 rounds half up
    assert policy.decide(snap(idle=0, busy=4)) == 0
    low = PacingPolicy(PacingSettings(mode=mode, ratio=0.4, max_channels=100))
    assert low.decide(snap(idle=1)) == 1  # at least one line per idle agent


@pytest.mark.parametrize("mode", list(Mode))
def test_max_channels_and_cap_are_honoured(mode: Mode) -> None:
    settings = PacingSettings(mode=mode, ratio=3.0, max_channels=6)
    policy = trained(settings) if mode is Mode.predictive else PacingPolicy(settings)
    # 2 ringing + 1 waiting + 2 busy agents on calls = 5 channels: one left
    assert policy.decide(snap(idle=20, busy=2, ringing=(1.0, 2.0), waiting=1)) <= 1
    assert policy.decide(snap(idle=20, busy=2, ringing=(1.0, 2.0, 3.0), waiting=1)) == 0
    assert policy.last_reason == "max channels"
    # connected calls as the caller counts them (agents in wrap-up hold no channel)
    assert 1 <= policy.decide(snap(idle=20, busy=2, connected=0)) <= 6
    assert policy.decide(snap(idle=20), cap=2) <= 2
    assert policy.decide(snap(idle=20), cap=0) == 0


# -- predictive ------------------------------------------------------------------------------------


def test_predictive_falls_back_to_progressive_without_data() -> None:
    policy = PacingPolicy(PacingSettings(max_channels=100))
    assert not policy.ready()
    assert policy.decide(snap(idle=5, busy=20)) == 5
    assert policy.decide(snap(idle=5, busy=20, ringing=(1.0, 2.0))) == 3
    assert policy.decide(snap(idle=0, busy=25)) == 0


def test_predictive_falls_back_to_progressive_for_tiny_teams() -> None:
    policy = trained()
    assert policy.ready()
    assert MIN_AGENTS == 3
    assert policy.decide(snap(idle=2)) == 2
    assert policy.decide(snap(idle=1, busy=1, ringing=(5.0,))) == 0
    # from MIN_AGENTS on, it paces: more than one call per idle agent
    assert policy.decide(snap(idle=3)) > 3


def test_predictive_dials_ahead_when_agents_are_idle() -> None:
    policy = trained()
    first = policy.decide(snap(idle=5, busy=20))
    assert first > 5  # about 1/p calls per idle agent
    assert first <= 20
    # the calls it placed are now ringing: it does not add the same again
    again = policy.decide(snap(idle=5, busy=20, ringing=(0.0,) * first))
    assert again <= 1


@pytest.mark.parametrize("agents", [5, 10, 25, 100])
def test_predictive_never_dials_while_every_agent_is_busy(agents: int) -> None:
    policy = trained()
    assert policy.decide(snap(idle=0, busy=agents)) == 0
    assert policy.decide(snap(idle=0, busy=agents, ringing=(2.0, 9.0, 20.0))) == 0
    # a human waiting for the next free agent: still nothing
    assert policy.decide(snap(idle=1, busy=agents, waiting=1)) == 0


def test_predictive_is_never_below_progressive() -> None:
    policy = trained(theta=1e-9)  # a threshold nothing passes
    assert policy.decide(snap(idle=6, busy=20, ringing=(1.0, 2.0))) == 4


def test_predictive_counts_old_ringing_calls_less_than_fresh_ones() -> None:
    """A call that has rung 22 s is most likely a no answer: it takes less room than a fresh one."""
    policy = trained()
    fresh = policy.decide(snap(idle=3, busy=22, ringing=(1.0,) * 6))
    stale = policy.decide(snap(idle=3, busy=22, ringing=(22.0,) * 6))
    assert stale > fresh


def test_learned_contact_rate_tracks_a_change() -> None:
    model = OutcomeModel()
    rng = random.Random(3)
    for _ in range(3000):
        model.observe(benchmark_outcome(rng, 0.30))
    assert model.contact_rate == pytest.approx(0.30, abs=0.03)
    for _ in range(400):
        model.observe(benchmark_outcome(rng, 0.15))
    assert model.contact_rate == pytest.approx(0.15, abs=0.04)
    assert model.shifts >= 1
    for _ in range(300):
        model.observe(benchmark_outcome(rng, 0.40))
    assert model.contact_rate == pytest.approx(0.40, abs=0.05)


def test_learned_timings_and_handle_time() -> None:
    model = OutcomeModel(aht_prior_s=100.0)
    for _ in range(300):
        model.observe(DialOutcome.no_answer(25.0))
        model.observe(DialOutcome.human(8.0))
    for _ in range(1000):
        model.observe_handle(300.0)
    view = model.view()
    assert model.contact_rate == pytest.approx(0.5)
    # planned with one standard error more: sqrt(0.25 / 600) ~ 0.02
    assert view.mix[DialKind.HUMAN] == pytest.approx(0.52, abs=0.001)
    assert view.aht_s == pytest.approx(300.0, rel=0.01)
    # in flight at 10 s: a human would have answered by now, so it is a no answer
    assert view.p_human_between(10.0, 20.0) == pytest.approx(0.0, abs=1e-9)
    assert view.p_human_between(0.0, 10.0) == pytest.approx(0.52, abs=0.001)


def test_a_suspected_rise_of_the_contact_rate_is_planned_for_before_the_alarm() -> None:
    model = OutcomeModel()
    rng = random.Random(11)
    for _ in range(3000):
        model.observe(benchmark_outcome(rng, 0.15))
    steady = model.planning_rate()
    assert steady == pytest.approx(0.15, abs=0.03)
    leaned = 0.0
    for _ in range(200):
        model.observe(benchmark_outcome(rng, 0.40))
        if model.shifts:
            break
        leaned = max(leaned, model.planning_rate())
    assert model.shifts == 1
    # while the CUSUM built its case, the planning rate already moved well towards 40 %
    assert leaned > steady + 0.08
    assert model.planning_rate() > 0.3


def test_a_contact_rate_shift_rebuilds_the_look_ahead_at_once() -> None:
    policy = trained(dials=3000, theta=0.03)
    before = policy.decide(snap(idle=3, busy=22))
    built = policy._tables
    rng = random.Random(2)
    for _ in range(150):  # the list turns much better: 30 % -> 60 % live answers
        policy.observe(benchmark_outcome(rng, 0.60))
    assert policy.model.planning_rate() > 0.4
    # one second later, not REBUILD_AFTER_S: the new rate is planned with
    after = policy.decide(Snapshot(NOW + 1.0, 3, busy_since=(NOW - 60.0,) * 22))
    assert policy._tables is not built
    assert 1 <= after < before


# -- busy agents' elapsed handle time --------------------------------------------------------------


def test_learned_handle_times_know_who_is_in_wrap_up() -> None:
    """Lognormal talk + a fixed 30 s wrap-up: an agent 5 s into a call frees nobody within 20 s; one
    200 s in frees more than the memoryless guess."""
    histogram = HandleHistogram()
    rng = random.Random(4)
    for _ in range(MIN_HANDLES - 1):
        histogram.add(rng.lognormvariate(5.0, 0.83) + 30.0)
    assert histogram.survival() is None  # too few calls: memoryless
    for _ in range(3000):
        histogram.add(rng.lognormvariate(5.0, 0.83) + 30.0)
    rows = FreeRows((5.0, 20.0), histogram.survival(), 240.0)
    memoryless = 1.0 - math.exp(-20.0 / 240.0)
    assert rows.sums([5.0])[1] < 0.001
    assert rows.sums([200.0])[1] > 1.3 * memoryless
    # sums of r, then of r^2, per horizon
    mean = rows.sums([5.0, 200.0, 200.0])
    assert mean[1] == pytest.approx(2 * rows.sums([200.0])[1] + rows.sums([5.0])[1])
    assert mean[3] == pytest.approx(2 * rows.sums([200.0])[1] ** 2 + rows.sums([5.0])[1] ** 2)
    # without data: memoryless
    assert FreeRows((20.0,), None, 240.0).sums([5.0, 500.0])[0] == pytest.approx(2 * memoryless)


def test_predictive_dials_more_when_busy_agents_are_about_to_free() -> None:
    policy = trained(dials=3000, theta=0.03)
    rng = random.Random(9)
    for _ in range(3000):
        policy.observe_handle(rng.lognormvariate(5.0, 0.83) + 30.0)
    just_started = Snapshot(NOW, 3, busy_since=(NOW - 5.0,) * 22)
    mid_call = Snapshot(NOW, 3, busy_since=(NOW - 150.0,) * 22)
    assert policy.decide(mid_call) > policy.decide(just_started)


# -- the abandon trim ------------------------------------------------------------------------------


def test_trim_lowers_theta_on_abandons_and_raises_it_on_unused_budget() -> None:
    trim = AbandonTrim(cap=0.03)
    start = trim.theta
    for _ in range(5):
        trim.add(abandoned=True)
    assert trim.theta < start
    low = trim.theta
    for _ in range(1000):
        trim.add(abandoned=False)
    assert trim.theta > low
    assert trim.theta > start  # 1000 live answers, 5 abandons: budget to spend


@pytest.mark.parametrize("best", [0.01, 0.05])
def test_trim_finds_the_theta_that_meets_the_target(best: float) -> None:
    """A toy pacer whose abandon rate is target x (theta / best)^1.5: the trim settles near best."""
    trim = AbandonTrim(cap=0.03)
    rng = random.Random(5)
    for _ in range(30_000):
        trim.add(abandoned=rng.random() < trim.target * (trim.theta / best) ** 1.5)
    assert trim.theta / best == pytest.approx(1.0, abs=0.5)
    assert trim.abandoned / trim.humans == pytest.approx(trim.target, abs=0.002)


def test_trim_pays_back_a_deficit_from_earlier_days_but_does_not_spend_a_surplus() -> None:
    fresh = AbandonTrim(cap=0.03, history=(1000, 28))  # 2.8 % over the other days: on target
    indebted = AbandonTrim(cap=0.03, history=(1000, 60))  # 6 % over the other days
    saver = AbandonTrim(cap=0.03, history=(1000, 0))
    for trim in (fresh, indebted, saver):
        for _ in range(100):
            trim.add(abandoned=False)
    assert indebted.theta < fresh.theta
    assert saver.theta == pytest.approx(fresh.theta)


def test_policy_feeds_the_trim_only_with_humans() -> None:
    policy = PacingPolicy(PacingSettings())
    policy.observe(DialOutcome.no_answer(25.0))
    policy.observe(DialOutcome.machine(12.0, 3.0))
    assert policy.trim.humans == 0
    policy.observe(DialOutcome.human(9.0, abandoned=True))
    assert (policy.humans, policy.abandoned) == (1, 1)
    before, learned = policy.theta, policy.learned_theta
    policy.new_day()
    assert policy.trim.humans == 0
    assert policy.trim.unused == 0
    # what the integral learned stays; a young campaign also keeps most of its reaction to the
    # old budget (it is most of what it learned)...
    assert before < policy.theta < learned
    # ...a grown-up one drops it
    old = PacingPolicy(PacingSettings(), history=(100_000, 2850))
    old.observe(DialOutcome.human(9.0, abandoned=True))
    before, learned = old.theta, old.learned_theta
    old.new_day()
    assert before < learned
    assert old.theta == pytest.approx(learned, rel=0.001)


# -- the look-ahead's arithmetic -------------------------------------------------------------------


def test_tails_against_brute_force() -> None:
    def brute(pmf_a: list[float], pmf_f: list[float], d: int) -> float:
        return sum(pa * pf for a, pa in enumerate(pmf_a) for f, pf in enumerate(pmf_f) if a - f >= d)

    def binom(n: int, p: float) -> list[float]:
        return [math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(n + 1)]

    def poisson(mu: float) -> list[float]:
        return [math.exp(-mu) * mu**k / math.factorial(k) for k in range(60)]

    for busy, r in [(0, 0.1), (3, 0.05), (20, 0.1), (90, 0.04)]:
        cdf = binomial_cdf(busy, r)
        pmf_f = binom(busy, r)
        for d in (-2, 0, 1, 3, 7):
            for mu in (0.0, 0.4, 2.5, 9.0):
                assert short_tail(mu, cdf, d) == pytest.approx(brute(poisson(mu), pmf_f, d), abs=1e-6)
            for n, p in [(1, 0.4), (3, 0.3), (12, 0.2)]:
                assert binomial_tail(n, p, cdf, d) == pytest.approx(brute(binom(n, p), pmf_f, d), abs=1e-6)


# -- a simulated hour ------------------------------------------------------------------------------


def test_one_simulated_hour_predictive_beats_progressive_under_the_cap() -> None:
    """A running campaign of 25 agents, its pacer rebuilt with the threshold it had learned and the
    law window's counts so far (docs/pacing.md: what the engine loop must do)."""
    config = SimConfig(25, hours=1.0, warmup_s=900.0, seed=0)
    progressive = simulate(PacingPolicy(PacingSettings(mode=Mode.progressive, max_channels=1000)), config)
    predictive = simulate(PacingPolicy(PacingSettings(max_channels=1000), theta0=0.024, history=(5000, 142)), config)
    assert progressive.abandoned == 0
    assert 0.76 < progressive.occupancy < 0.85
    assert predictive.occupancy > progressive.occupancy + 0.08
    # one hour holds ~350 live answers: its rate is known to +-1 point (seeds 0-9: 1.4-3.9 %, 2.6 %
    # on average); the benchmark measures days
    assert predictive.abandon_rate <= 0.03
    assert predictive.dials_per_agent_hour > progressive.dials_per_agent_hour
