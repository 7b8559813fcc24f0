"""The announcement broadcaster: broadcaster's `Broadcast`, with bounded subscriber queues, and our own
Redis backend for fan-out across replicas (docs/live.md, "Fan-out across replicas").

    broadcast = make_broadcast(settings.broadcast_url)
    await broadcast.connect()
    async with broadcast.subscribe("agents") as subscriber:
        async for event in subscriber:      # broadcaster's Event(channel, message)
            if subscriber.gap:              # something was lost just before this event
                ...                         # tell the client to refetch
            ...

`memory://` uses broadcaster's MemoryBackend, `redis://` and `rediss://` our `ResilientRedisBackend`
(dialer.app.broadcast_redis: broadcaster 0.3.1's RedisBackend loses every message on Python 3.11 and
never recovers from a Redis restart); other schemes (`postgres://`, `redis-stream://`, `kafka://`) are
broadcaster's own.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from broadcaster import Broadcast, BroadcastBackend, Event
from broadcaster._base import Subscriber, Unsubscribed

from dialer.app.broadcast_redis import BroadcastUnavailable, Outage, ResilientRedisBackend

log = logging.getLogger(__name__)

# Messages a subscriber may have waiting before the oldest is dropped (0: unbounded).
DEFAULT_MAX_QUEUE = 1000


@dataclass(frozen=True)
class Gap:
    """What a subscriber lost at one point of its stream. False when nothing was lost."""

    # Messages discarded because this subscriber's queue was full (it fell behind): the oldest go first.
    dropped: int = 0
    # Broker outages: messages published on the channel meanwhile were lost, how many is unknown.
    outages: int = 0

    def __bool__(self) -> bool:
        return bool(self.dropped or self.outages)


class BoundedSubscriber(Subscriber):
    """A subscriber whose queue holds at most `maxsize` messages (0: unbounded). When full, the oldest
    message is dropped and the loss recorded: `gap` says what was lost just before the event `get()`
    last returned, `missed` whether anything was lost since subscribing."""

    def __init__(self, maxsize: int) -> None:
        super().__init__(asyncio.Queue(maxsize))
        self.gap = Gap()
        # Totals since subscribing.
        self.dropped = 0
        self.outages = 0
        self._pending_dropped = 0
        self._pending_outages = 0
        self._held: Event | None = None
        self._closed = False

    @property
    def missed(self) -> bool:
        """Whether this subscriber has lost anything since it subscribed (queue overflow or outage)."""
        return bool(self.dropped or self.outages)

    async def get(self) -> Event:
        """The next message; `gap` then tells what was lost just before it. Raises Unsubscribed once closed."""
        while True:
            item = await self._pop()
            if isinstance(item, Outage):
                self._pending_outages += 1
                continue
            self.gap = self._take_gap()
            return item

    async def receive(self) -> Event | Gap:
        """The next message, or a `Gap` as soon as a loss is known (before the message that follows it)."""
        if self._held is not None:
            item, self._held = self._held, None
            return item
        item = await self._pop()
        if isinstance(item, Outage):
            self._pending_outages += 1
            return self._take_gap()
        if self._pending_dropped or self._pending_outages:
            self._held = item
            return self._take_gap()
        return item

    async def _pop(self) -> Event:
        if self._held is not None:  # receive() held it back behind a gap; get() now takes it
            item, self._held = self._held, None
            return item
        item = await self._queue.get()
        if item is None:
            raise Unsubscribed()
        return item

    def _take_gap(self) -> Gap:
        gap = Gap(self._pending_dropped, self._pending_outages)
        self._pending_dropped = self._pending_outages = 0
        return gap

    def offer(self, event: Event) -> None:
        """Queue `event` without waiting: if the queue is full, its oldest message is dropped."""
        if self._closed:
            return
        if self._queue.full():
            oldest = self._queue.get_nowait()
            if isinstance(oldest, Outage):
                self._pending_outages += 1
            elif oldest is not None:
                self._pending_dropped += 1
                self.dropped += 1
        if isinstance(event, Outage):
            self.outages += 1
        self._queue.put_nowait(event)

    def close(self) -> None:
        """Wake a reader with Unsubscribed (after what is queued)."""
        if self._closed:
            return
        self._closed = True
        if self._queue.full():
            self._queue.get_nowait()
        self._queue.put_nowait(None)


class BoundedBroadcast(Broadcast):
    """broadcaster's Broadcast with bounded subscriber queues (`max_queue`, per subscriber; 0: unbounded).

    Unlike the base class, the listener never waits on a slow subscriber (it drops that subscriber's
    oldest message instead), concurrent first subscribers to a channel all wait for the backend's
    subscription, and a failing backend read is logged and retried instead of ending all delivery."""

    def __init__(
        self, url: str | None = None, *, backend: BroadcastBackend | None = None, max_queue: int = DEFAULT_MAX_QUEUE
    ) -> None:
        super().__init__(url, backend=backend)
        self.max_queue = max_queue
        self._subscribers: dict[str, set[BoundedSubscriber]] = {}  # type: ignore[assignment]
        # Serialize each channel's backend subscribe/unsubscribe (kept: the app's channels are a few names).
        self._locks: dict[str, asyncio.Lock] = {}
        if isinstance(self._backend, ResilientRedisBackend):
            self._backend.report_outages = True

    def _create_backend(self, url: str) -> BroadcastBackend:
        if urlsplit(url).scheme in ("redis", "rediss"):
            return ResilientRedisBackend(url)
        return super()._create_backend(url)

    @property
    def backend(self) -> BroadcastBackend:
        return self._backend

    async def disconnect(self) -> None:
        task = getattr(self, "_listener_task", None)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for subscribers in self._subscribers.values():
            for subscriber in subscribers:
                subscriber.close()
        await self._backend.disconnect()

    async def _listener(self) -> None:
        failures = 0
        while True:
            try:
                event = await self._backend.next_published()
            except asyncio.CancelledError:
                raise
            except Exception:
                failures += 1
                log.exception("broadcast: reading from the backend failed (%d in a row); retrying", failures)
                await asyncio.sleep(min(0.1 * 2**failures, 5.0))
                continue
            failures = 0
            for subscriber in list(self._subscribers.get(event.channel, ())):
                subscriber.offer(event)

    @contextlib.asynccontextmanager
    async def subscribe(  # type: ignore[override]
        self, channel: str, *, max_queue: int | None = None
    ) -> AsyncIterator[BoundedSubscriber]:
        subscriber = BoundedSubscriber(self.max_queue if max_queue is None else max_queue)
        lock = self._locks.setdefault(channel, asyncio.Lock())
        async with lock:
            subscribers = self._subscribers.setdefault(channel, set())
            first = not subscribers
            # In the set before the backend subscribes: nothing arriving after its confirmation is missed.
            subscribers.add(subscriber)
            if first:
                try:
                    await self._backend.subscribe(channel)
                except BaseException:
                    self._forget(channel, subscriber)
                    raise
        try:
            yield subscriber
        finally:
            subscriber.close()
            async with lock:
                if self._forget(channel, subscriber):
                    await self._backend.unsubscribe(channel)

    def _forget(self, channel: str, subscriber: BoundedSubscriber) -> bool:
        """Remove a subscriber; True if it was the channel's last."""
        subscribers = self._subscribers.get(channel)
        if subscribers is None:
            return False
        subscribers.discard(subscriber)
        if subscribers:
            return False
        del self._subscribers[channel]
        return True


def make_broadcast(url: str, *, max_queue: int = DEFAULT_MAX_QUEUE, **redis_options: Any) -> BoundedBroadcast:
    """The broadcaster for DIALER_BROADCAST_URL. `redis://host:port[/db]` (or `rediss://`) gets our
    ResilientRedisBackend (`redis_options` are its keyword arguments); `memory://`, `postgres://`,
    `redis-stream://` and `kafka://` broadcaster's own backends. Every subscriber's queue is bounded."""
    if urlsplit(url).scheme in ("redis", "rediss"):
        return BoundedBroadcast(backend=ResilientRedisBackend(url, **redis_options), max_queue=max_queue)
    if redis_options:
        raise TypeError(f"options {sorted(redis_options)} only apply to redis:// URLs")
    return BoundedBroadcast(url, max_queue=max_queue)


__all__ = [
    "DEFAULT_MAX_QUEUE",
    "BoundedBroadcast",
    "BoundedSubscriber",
    "BroadcastUnavailable",
    "Gap",
    "ResilientRedisBackend",
    "make_broadcast",
]
