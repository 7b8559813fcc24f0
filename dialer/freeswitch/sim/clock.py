"""Time for the simulated switch: the asyncio loop's in real time, or a virtual clock.

The switch only ever asks "what time is it" and "call this later", so the same call models run
on a socket-serving node in real time and in a benchmark that covers hours in seconds."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Callable
from typing import Any, Protocol


class Timer(Protocol):
    def cancel(self) -> None: ...


class Clock(Protocol):
    def monotonic(self) -> float: ...

    def wall(self) -> float:
        """Seconds since the epoch, for Event-Date-* headers and CDR times."""
        ...

    def call_later(self, delay: float, callback: Callable[..., Any], *args: Any) -> Timer: ...


class LoopClock:
    def __init__(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self._loop = loop or asyncio.get_running_loop()

    def monotonic(self) -> float:
        return self._loop.time()

    def wall(self) -> float:
        return time.time()

    def call_later(self, delay: float, callback: Callable[..., Any], *args: Any) -> Timer:
        return self._loop.call_later(max(0.0, delay), callback, *args)


class _VirtualTimer:
    __slots__ = ("args", "callback", "cancelled")

    def __init__(self, callback: Callable[..., Any], args: tuple[Any, ...]) -> None:
        self.callback, self.args, self.cancelled = callback, args, False

    def cancel(self) -> None:
        self.cancelled = True


class VirtualClock:
    """Discrete-event time: `advance(seconds)` runs every due callback, in time order (ties in the
    order they were scheduled), and nothing else moves the clock."""

    def __init__(self, start: float = 0.0, epoch: float = 1_767_225_600.0) -> None:
        self._now = start
        self._epoch = epoch  # what `wall()` reads at virtual time 0 (2026-01-01 UTC)
        self._queue: list[tuple[float, int, _VirtualTimer]] = []
        self._order = itertools.count()

    def monotonic(self) -> float:
        return self._now

    def wall(self) -> float:
        return self._epoch + self._now

    def call_later(self, delay: float, callback: Callable[..., Any], *args: Any) -> Timer:
        timer = _VirtualTimer(callback, args)
        heapq.heappush(self._queue, (self._now + max(0.0, delay), next(self._order), timer))
        return timer

    def advance(self, seconds: float) -> int:
        """Run everything due within `seconds`; returns how many callbacks ran."""
        end, ran = self._now + seconds, 0
        queue = self._queue
        while queue and queue[0][0] <= end:
            when, _, timer = heapq.heappop(queue)
            self._now = when
            if not timer.cancelled:
                timer.callback(*timer.args)
                ran += 1
        self._now = end
        return ran

    @property
    def pending(self) -> int:
        return sum(1 for _, _, timer in self._queue if not timer.cancelled)
