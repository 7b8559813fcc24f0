"""Predictive pacing against progressive, in simulated time, on the model of PACING-FACTS.md.

    .venv/bin/python bench/pacing.py [--seeds 8] [--first-seed 0] [--hours 8] [--quick] [--workers 2]
                                     [--sizes 10,25,50,100] [--no-drift | --drift-only]

For N = 10, 25, 50, 100 agents, both handle-time variants (exponential 240 s; lognormal talk CV 1
+ 30 s wrap-up) and both modes: occupancy, abandon rate (mean and spread over seeds), dials and
connects per agent-hour, 8 simulated hours after a 15-minute warm-up. Then the drifting day
(live answers 30 % -> 15 % -> 40 % at thirds of the day, unannounced) for N = 25 and 100: the
day's abandon rate per seed, the worst 30-minute window, occupancy, and abandon per window; and
how many windows above 6 % Poisson noise alone gives at the measured mean rate (the "noise" line).
Every run is a fresh policy that learns everything online (dialer.engine.pacing); nothing is set
per N. `--quick`: 2 seeds of 2 hours. Runs spread over `--workers` processes.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from dialer.engine.pacing import Mode, PacingPolicy, PacingSettings
from dialer.engine.simulation import SimConfig, SimResult, drifting_day, simulate

SIZES = (10, 25, 50, 100)
HANDLES = ("exponential", "lognormal")
DRIFT_SIZES = (25, 100)
TARGETS = {10: 0.890, 25: 0.923, 50: 0.946, 100: 0.964}
DRIFT_TARGETS = {25: 0.915, 100: 0.960}
CAP = 0.03
WINDOW_CAP = 0.06  # no 30-minute window of the drifting day above this

Task = tuple[str, int, str, str, int, float]  # (table, N, handle, mode, seed, hours)


def run(task: Task) -> tuple[Task, SimResult, float]:
    table, agents, handle, mode, seed, hours = task
    began = time.perf_counter()
    policy = PacingPolicy(PacingSettings(mode=Mode(mode), abandon_cap=CAP, max_channels=100_000))
    if table == "drift":
        config = drifting_day(agents, seed=seed, hours=hours)
    else:
        config = SimConfig(agents, hours=hours, seed=seed, handle=handle)
    return task, simulate(policy, config), time.perf_counter() - began


def tasks(seeds: range, hours: float, sizes: tuple[int, ...], drift: bool) -> list[Task]:
    out: list[Task] = []
    for n in sizes:
        for handle in HANDLES:
            for mode in ("predictive", "progressive"):
                out += [("steady", n, handle, mode, s, hours) for s in seeds]
    if drift:
        out += [("drift", n, "exponential", "predictive", s, hours) for n in DRIFT_SIZES if n in sizes for s in seeds]
    # biggest first, so that the last runs to finish are short
    return sorted(out, key=lambda t: -t[1] * (3 if t[3] == "predictive" else 1))


def spread(values: list[float]) -> str:
    mean = statistics.mean(values)
    return f"{mean * 100:5.2f} % ({min(values) * 100:4.1f}-{max(values) * 100:4.1f})"


def poisson_tail(mean: float, k: int) -> float:
    """P(X >= k) for X ~ Poisson(mean)."""
    term, below = math.exp(-mean), 0.0
    for i in range(k):
        below += term
        term *= mean / (i + 1)
    return max(0.0, 1.0 - below)


def window_noise(runs: list[SimResult]) -> str:
    """How many windows above 6 % chance alone gives at the runs' mean abandon rate: abandons taken
    as Poisson, each window with the live answers it had."""
    rate = sum(r.abandoned for r in runs) / sum(r.humans for r in runs)
    windows = [(h, a) for r in runs for h, a in r.windows if h]
    p = [poisson_tail(rate * h, math.floor(WINDOW_CAP * h) + 1) for h, _ in windows]
    above = sum(a > WINDOW_CAP * h for h, a in windows)
    none = math.prod(1.0 - x for x in p)
    return (
        f"{above} of {len(windows)} windows above 6 %; Poisson abandons at the mean rate {rate * 100:.2f} % "
        f"give {sum(p):.2f} such windows on average, and none with probability {none:.2f}"
    )


def report(
    results: dict[Task, SimResult], seeds: range, hours: float, sizes: tuple[int, ...], drift: bool, steady: bool
) -> None:
    if steady:
        report_steady(results, seeds, hours, sizes)
    if drift:
        report_drift(results, seeds, hours, sizes)


def report_steady(results: dict[Task, SimResult], seeds: range, hours: float, sizes: tuple[int, ...]) -> None:
    print(
        f"\nSteady days: seeds {seeds.start}-{seeds.stop - 1} x {hours:g} simulated hours after 15 min warm-up; "
        f"abandon cap {CAP:.0%}"
    )
    head = (
        f"{'N':>4} {'handle':<11} {'mode':<11} {'occupancy':>22} {'abandon':>22} {'dials/ah':>8} {'conn/ah':>7}  target"
    )
    print(head)
    print("-" * len(head))
    for n in sizes:
        for handle in HANDLES:
            for mode in ("progressive", "predictive"):
                runs = [results[("steady", n, handle, mode, s, hours)] for s in seeds]
                occ = [r.occupancy for r in runs]
                ab = [r.abandon_rate for r in runs]
                dials = statistics.mean(r.dials_per_agent_hour for r in runs)
                conns = statistics.mean(r.connects_per_agent_hour for r in runs)
                verdict = ""
                if mode == "predictive":
                    met = statistics.mean(occ) >= TARGETS[n] and statistics.mean(ab) <= CAP
                    verdict = f"occ >= {TARGETS[n] * 100:.1f} % at abandon <= 3 %: {'met' if met else 'NOT met'}"
                row = f"{n:>4} {handle:<11} {mode:<11} {spread(occ):>22} {spread(ab):>22} {dials:8.1f} {conns:7.1f}"
                print(f"{row}  {verdict}")


def report_drift(results: dict[Task, SimResult], seeds: range, hours: float, sizes: tuple[int, ...]) -> None:
    print("\nDrifting day (live answers 30 % -> 15 % -> 40 % at thirds of the day), predictive, exponential handle")
    head = f"{'N':>4} {'seed':>4} {'day abandon':>11} {'worst 30 min':>12} {'occupancy':>9}  per 30-min window, %"
    print(head)
    print("-" * len(head))
    for n in DRIFT_SIZES:
        if n not in sizes:
            continue
        runs = [results[("drift", n, "exponential", "predictive", s, hours)] for s in seeds]
        for s, r in zip(seeds, runs, strict=True):
            windows = " ".join(f"{a / h * 100:3.1f}" if h else "  - " for h, a in r.windows)
            print(
                f"{n:>4} {s:>4} {r.abandon_rate * 100:9.2f} % {r.worst_window * 100:10.1f} % "
                f"{r.occupancy * 100:7.1f} %  {windows}"
            )
        print(f"{n:>4} noise: {window_noise(runs)}")
        days_ok = all(r.abandon_rate <= CAP for r in runs)
        worst_ok = all(r.worst_window <= WINDOW_CAP for r in runs)
        occ = statistics.mean(r.occupancy for r in runs)
        print(
            f"{n:>4} all: every day <= 3 %: {'met' if days_ok else 'NOT met'}; every window <= 6 %: "
            f"{'met' if worst_ok else 'NOT met'}; occupancy {occ * 100:.2f} % >= {DRIFT_TARGETS[n] * 100:.1f} %: "
            f"{'met' if occ >= DRIFT_TARGETS[n] else 'NOT met'}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--first-seed", type=int, default=0, help="run seeds K..K+seeds-1 (another sample)")
    parser.add_argument("--hours", type=float, default=8.0)
    parser.add_argument("--quick", action="store_true", help="2 seeds of 2 simulated hours")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="comma-separated team sizes")
    parser.add_argument("--no-drift", action="store_true", help="skip the drifting day")
    parser.add_argument("--drift-only", action="store_true", help="only the drifting day")
    args = parser.parse_args()
    count, hours = (2, 2.0) if args.quick else (args.seeds, args.hours)
    seeds = range(args.first_seed, args.first_seed + count)
    sizes = tuple(int(x) for x in args.sizes.split(","))
    todo = tasks(seeds, hours, sizes, not args.no_drift)
    if args.drift_only:
        todo = [t for t in todo if t[0] == "drift"]
    results: dict[Task, SimResult] = {}
    cpu = 0.0
    began = time.perf_counter()
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, transient=True) as progress, multiprocessing.Pool(args.workers) as pool:
        bar = progress.add_task("simulating", total=len(todo))
        for task, result, seconds in pool.imap_unordered(run, todo):
            results[task] = result
            cpu += seconds
            progress.advance(bar)
    report(results, seeds, hours, sizes, not args.no_drift, steady=not args.drift_only)
    wall = time.perf_counter() - began
    print(f"\n{len(todo)} runs, {wall:.0f} s wall, {cpu:.0f} s of simulation on {args.workers} workers")


if __name__ == "__main__":
    main()
