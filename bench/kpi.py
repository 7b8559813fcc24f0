"""The live KPI windows under load: events a second through `KpiBoard.record`, the time of one
`tick()`, and peak memory, in simulated time.

    .venv/bin/python bench/kpi.py [--seconds 600] [--rate 200] [--campaigns 100] [--trunks 20]

A simulated dialer places `--rate` calls a second over `--campaigns` campaigns and `--trunks` trunks
(every call names both). Each call is an `Originated`, and an `Ended` 5-25 s later when unanswered
(45 %); an answered call also has an `Answered`, an `AmdLabel` (HUMAN 40 %, VOICEMAIL 45 %, FAX,
SIT, UNKNOWN 5 % each), a `LiveAnswer` for a human (3 % abandoned), and its `Ended` after an
exponential talk time (mean 90 s). The events of the run's seconds are made and sorted first (and
frozen out of the garbage collector's way: the app never holds them all); then they are fed in time
order with `tick()` once a simulated second, timed apart (wall and this thread's CPU time: on a
busy machine the wall clock's tail is the scheduler's); tick figures are over the seconds after
the first 5 minutes, when every window is full. A second, identical run under tracemalloc gives the
peak memory the board allocates, tick messages included (the pre-made events are not counted).
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dialer.engine.kpi import AmdLabel, Answered, Ended, KpiBoard, KpiEvent, LiveAnswer, Originated

LABELS = ("HUMAN", "VOICEMAIL", "FAX", "SIT", "UNKNOWN")
LABEL_WEIGHTS = (40, 45, 5, 5, 5)
EPOCH = 1_736_722_800.0


def calls(seconds: int, rate: int, campaigns: int, trunks: int, seed: int) -> list[KpiEvent]:
    rng = random.Random(seed)
    events: list[KpiEvent] = []
    for second in range(seconds):
        for _ in range(rate):
            t = second + rng.random()
            c, k = f"cmp_{rng.randrange(campaigns)}", f"gw_{rng.randrange(trunks)}"
            events.append(Originated(t, c, k))
            if rng.random() < 0.45:
                events.append(Ended(t + rng.uniform(5, 25), False, 0.0, c, k))
                continue
            answer = t + rng.uniform(3, 20)
            label = rng.choices(LABELS, LABEL_WEIGHTS)[0]
            events += [Answered(answer, c, k), AmdLabel(answer + 2.5, label, c, k)]
            if label == "HUMAN":
                events.append(LiveAnswer(answer + 3.5, rng.random() < 0.03, c, k))
            billsec = round(rng.expovariate(1 / 90))
            events.append(Ended(answer + billsec, True, float(billsec), c, k))
    events = [e for e in events if e.t < seconds]  # calls still up at the end stay up
    events.sort(key=lambda e: e.t)
    return events


def run(events: list[KpiEvent]) -> tuple[float, list[tuple[float, float]], KpiBoard, int]:
    """Seconds spent in record; each tick's (wall, CPU) seconds after the first 5 minutes; the
    board; the messages of the last tick."""
    board = KpiBoard()
    record = board.record
    in_record, ticks, messages = 0.0, list[tuple[float, float]](), 0
    i, n = 0, len(events)
    second = 0
    while i < n:
        second += 1
        j = i
        while j < n and events[j].t < second:
            j += 1
        batch = events[i:j]
        began = time.perf_counter()
        for event in batch:
            record(event)
        in_record += time.perf_counter() - began
        began, cpu = time.perf_counter(), time.thread_time()
        messages = len(board.tick(second, EPOCH + second))
        if second > 300:
            ticks.append((time.perf_counter() - began, time.thread_time() - cpu))
        i = j
    return in_record, ticks, board, messages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=600, help="simulated seconds of calls")
    parser.add_argument("--rate", type=int, default=200, help="calls a second")
    parser.add_argument("--campaigns", type=int, default=100)
    parser.add_argument("--trunks", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    events = calls(args.seconds, args.rate, args.campaigns, args.trunks, args.seed)
    gc.freeze()
    n_calls = args.seconds * args.rate
    print(
        f"{n_calls:,} calls over {args.seconds} simulated s ({args.rate}/s), {args.campaigns} campaigns, "
        f"{args.trunks} trunks: {len(events):,} events ({len(events) / n_calls:.2f} a call; "
        "each updates 3 scopes)"
    )
    in_record, ticks, board, messages = run(events)
    wall = sorted(w * 1000 for w, _ in ticks)
    cpu = sorted(c * 1000 for _, c in ticks)
    print(
        f"record: {len(events) / in_record:,.0f} events/s ({in_record / len(events) * 1e6:.2f} us an event); "
        f"at {args.rate} calls/s x 6 events the board needs {args.rate * 6:,} events/s, "
        f"{args.rate * 6 * in_record / len(events) * 100:.2f} % of one core"
    )
    print(
        f"tick: {messages} messages ({len(board.scopes)} scopes), {len(wall)} ticks timed; "
        f"wall median {statistics.median(wall):.2f} ms, p99 {wall[int(len(wall) * 0.99)]:.2f} ms, "
        f"max {wall[-1]:.2f} ms; CPU median {statistics.median(cpu):.2f} ms, "
        f"p99 {cpu[int(len(cpu) * 0.99)]:.2f} ms, max {cpu[-1]:.2f} ms"
    )
    print(f"board: {board.cells:,} bucket counters held ({board.cells // len(board.scopes):,} a scope)")

    tracemalloc.start()
    run(events)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"peak memory (tracemalloc, board and tick messages): {peak / 2**20:.2f} MiB")


if __name__ == "__main__":
    main()
