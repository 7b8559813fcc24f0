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
(broadcaster 0.3.1's RedisBackend loses every message on Python 3.11 and never recovers from a Redis
restart); other schemes (`postgres://`, `redis-stream://`, `kafka://`) are broadcaster's own.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from broadcaster import Broadcast, BroadcastBackend, Event
from broadcaster._base import Subscriber, Unsubscribed
from redis import asyncio as aioredis
from redis import exceptions as redis_errors
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

log = logging.getLogger(__name__)

# Messages a subscriber may have waiting before the oldest is dropped (0: unbounded).
DEFAULT_MAX_QUEUE = 1000

# What "Redis is unreachable" looks like: refused or reset connections, timeouts, a server still loading.
_UNREACHABLE = (redis_errors.ConnectionError, redis_errors.TimeoutError, OSError)


class BroadcastUnavailable(RuntimeError):
    """A message could not be published because the broker is unreachable; the message is lost."""


@dataclass(frozen=True)
class Gap:
    """What a subscriber lost at one point of its stream. False when nothing was lost."""

    # Messages discarded because this subscriber's queue was full (it fell behind): the oldest go first.
    dropped: int = 0
    # Broker outages: messages published on the channel meanwhile were lost, how many is unknown.
    outages: int = 0

    def __bool__(self) -> bool:
        return bool(self.dropped or self.outages)


class _Outage(Event):
    """Queued in place of what a broker outage lost, so a subscriber learns of it in stream order."""

    def __init__(self, channel: str) -> None:
        super().__init__(channel, "")


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
            if isinstance(item, _Outage):
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
        if isinstance(item, _Outage):
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
            if isinstance(oldest, _Outage):
                self._pending_outages += 1
            elif oldest is not None:
                self._pending_dropped += 1
                self.dropped += 1
        if isinstance(event, _Outage):
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


class ResilientRedisBackend(BroadcastBackend):
    """Redis pub/sub (redis.asyncio) that subscribes before it reports a subscription as made, and
    outlives Redis restarts.

    - `subscribe()` returns once Redis has confirmed the subscription (at most `subscribe_timeout`
      seconds; during a known outage at once: the channel is subscribed when Redis is back, and its
      subscribers then get an outage marker).
    - The listener reconnects with exponential backoff (0.1 s doubling, capped at `max_backoff`) and
      re-subscribes every channel that has subscribers. When Redis confirms a channel that was cut off
      (or that was subscribed while Redis did not answer), an outage marker goes out on it ahead of its
      next message (`report_outages`, set by BoundedBroadcast), so subscribers learn of the gap.
    - A quiet connection is checked with PING every `ping_interval` seconds; no answer within another
      `ping_interval` counts as a lost connection (a half-open TCP connection would otherwise go unnoticed).
    - `publish()` retries for up to `publish_timeout` seconds, then raises BroadcastUnavailable (the
      message is lost). Once Redis is known to be down, a publish fails at once, except one attempt
      per `probe_interval` seconds that checks whether it is back.
    """

    def __init__(
        self,
        url: str,
        *,
        publish_timeout: float = 1.0,
        subscribe_timeout: float = 2.0,
        max_backoff: float = 2.0,
        ping_interval: float = 5.0,
        probe_interval: float = 1.0,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("redis", "rediss") or not parts.hostname:
            raise ValueError(f"not a redis:// URL: {url!r}")
        # For messages: never the password.
        self.address = f"{parts.hostname}:{parts.port or 6379}"
        self.publish_timeout = publish_timeout
        self.subscribe_timeout = subscribe_timeout
        self.max_backoff = max_backoff
        self.ping_interval = ping_interval
        self.probe_interval = probe_interval
        # Set by BoundedBroadcast, which understands outage markers.
        self.report_outages = False
        # redis-py's own retries (and its silent resubscription) are off: the policy is ours.
        options: dict[str, Any] = {
            "socket_connect_timeout": 1.0,
            "socket_keepalive": True,
            "retry": Retry(NoBackoff(), 0),
            "health_check_interval": 0,
        }
        self._publisher = aioredis.Redis.from_url(url, socket_timeout=max(publish_timeout, 0.5), **options)
        # Reads of messages pass their own timeout; this one bounds the connection handshake and writes
        # (a frozen Redis accepts connections in its kernel's backlog, then never answers).
        self._subscriber = aioredis.Redis.from_url(url, socket_timeout=5.0, **options)
        self._channels: set[str] = set()
        self._confirmations: dict[str, list[asyncio.Future[None]]] = {}
        # Channels whose subscribers are owed an outage marker once Redis confirms the subscription:
        # they were subscribed when the connection was lost, or subscribed while Redis was not answering.
        self._owed: set[str] = set()
        self._events: asyncio.Queue[Event] = asyncio.Queue()
        self._pubsub: Any = None  # the listener's live PubSub, once its subscriptions are sent
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()  # a channel is wanted, or it is worth retrying now
        self._restart = False  # a SUBSCRIBE could not be sent on the live connection: start afresh
        self._down_since: float | None = None
        self._next_probe = 0.0
        # Observable state (tests, logs): the listener holds a subscribed connection; times it got one back.
        self.online = False
        self.reconnects = 0

    # -- the BroadcastBackend interface ------------------------------------------------------------

    async def connect(self) -> None:
        self._task = asyncio.create_task(self._listen_forever(), name=f"redis-broadcast-{self.address}")
        try:
            await self._publisher.ping()
        except _UNREACHABLE as error:
            # Announcements are best effort: the service runs; publishes fail until Redis is reachable.
            self._mark_down(error)
            log.error(
                "broadcast: Redis at %s is unreachable (%s); announcements will not reach other replicas until it is",
                self.address,
                error,
            )

    async def disconnect(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._publisher.aclose()
        await self._subscriber.aclose()

    async def subscribe(self, channel: str) -> None:
        self._channels.add(channel)
        confirmed = asyncio.get_running_loop().create_future()
        waiting = self._confirmations.setdefault(channel, [])
        waiting.append(confirmed)
        try:
            pubsub = self._pubsub
            if pubsub is not None:
                try:
                    await pubsub.subscribe(channel)
                except Exception:
                    # A lost connection (the listener notices, reconnects and resubscribes everything), or
                    # the listener closing it because its last channel went (it reconnects: one is wanted
                    # again). If the connection is still the live one, have the listener start afresh.
                    if self._pubsub is pubsub:
                        self._restart = True
            else:
                self._wake.set()
            if self._down_since is not None and not self.online:
                self._owed.add(channel)
                return  # known outage: subscribed once Redis is back
            try:
                await asyncio.wait_for(confirmed, self.subscribe_timeout)
            except TimeoutError:
                self._owed.add(channel)
                log.warning(
                    "broadcast: Redis at %s did not confirm a subscription to %r within %.1f s; "
                    "it is made when Redis answers",
                    self.address,
                    channel,
                    self.subscribe_timeout,
                )
        finally:
            if confirmed in waiting:
                waiting.remove(confirmed)
            if not waiting and self._confirmations.get(channel) is waiting:
                del self._confirmations[channel]

    async def unsubscribe(self, channel: str) -> None:
        self._channels.discard(channel)
        self._owed.discard(channel)
        pubsub = self._pubsub
        if pubsub is not None:
            # Failing is harmless: the listener may just have closed the connection (no channel left),
            # and a channel nobody listens to any more is only dropped by Broadcast.
            with contextlib.suppress(Exception):
                await pubsub.unsubscribe(channel)

    async def publish(self, channel: str, message: Any) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        if self._down_since is not None:
            if now < self._next_probe:
                raise BroadcastUnavailable(self._lost(channel, "still unreachable"))
            self._next_probe = now + self.probe_interval
            deadline = now  # one attempt
        else:
            deadline = now + self.publish_timeout
        delay = 0.05
        while True:
            try:
                await self._publisher.publish(channel, message)
            except _UNREACHABLE as error:
                if loop.time() + delay > deadline:
                    self._mark_down(error)
                    self._next_probe = loop.time() + self.probe_interval
                    raise BroadcastUnavailable(self._lost(channel, str(error) or type(error).__name__)) from error
                await asyncio.sleep(delay)
                delay = min(delay * 2, 0.5)
            else:
                self._mark_up()
                return

    async def next_published(self) -> Event:
        return await self._events.get()

    # -- the listener ------------------------------------------------------------------------------

    async def _listen_forever(self) -> None:
        failures = 0
        while True:
            if not self._channels:
                self._wake.clear()
                await self._wake.wait()
                continue
            pubsub = self._subscriber.pubsub()
            try:
                sent: set[str] = set()
                # Channels wanted while these subscriptions were being sent are sent too, before the
                # PubSub is published to subscribe() (which sends on it itself from then on).
                while missing := self._channels - sent:
                    await pubsub.subscribe(*sorted(missing))
                    sent |= missing
                self._pubsub = pubsub
                self.online = True
                if failures:
                    self.reconnects += 1
                    log.warning(
                        "broadcast: reconnected to Redis at %s; resubscribed %s", self.address, ", ".join(sorted(sent))
                    )
                self._mark_up()
                failures = 0
                await self._pump(pubsub)  # returns when no channel is wanted any more
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the listener must outlive anything: reconnect and resubscribe
                failures += 1
                self._owed |= self._channels
                self._mark_down(error)
                delay = min(self.max_backoff, 0.1 * 2 ** (failures - 1)) * random.uniform(0.8, 1.0)
                if not isinstance(error, _UNREACHABLE):
                    log.exception("broadcast: unexpected error on the Redis subscription; reconnecting")
                elif failures == 1 or failures % 30 == 0:
                    log.warning(
                        "broadcast: lost Redis at %s (%s); reconnecting in %.1f s (attempt %d); "
                        "messages published meanwhile are lost",
                        self.address,
                        error,
                        delay,
                        failures,
                    )
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), delay)
            finally:
                self._pubsub = None
                self.online = False
                with contextlib.suppress(Exception):
                    await pubsub.aclose()

    async def _pump(self, pubsub: Any) -> None:
        loop = asyncio.get_running_loop()
        heard = loop.time()
        pinged = False
        while self._channels:
            if self._restart:
                self._restart = False
                raise redis_errors.ConnectionError("a SUBSCRIBE could not be sent")
            message = await pubsub.get_message(timeout=1.0)
            now = loop.time()
            if message is None:
                if pinged and now - heard > 2 * self.ping_interval:
                    raise redis_errors.ConnectionError(f"no answer to PING for {now - heard:.0f} s")
                if not pinged and now - heard > self.ping_interval:
                    await pubsub.ping("dialer-broadcast")
                    pinged = True
                continue
            heard, pinged = now, False
            kind = message["type"]
            if kind == "message":
                self._events.put_nowait(Event(channel=_text(message["channel"]), message=_text(message["data"])))
            elif kind == "subscribe":
                channel = _text(message["channel"])
                if channel in self._owed:
                    self._owed.discard(channel)
                    if self.report_outages:  # ahead of anything this connection delivers on the channel
                        self._events.put_nowait(_Outage(channel))
                for confirmed in self._confirmations.get(channel, ()):
                    if not confirmed.done():
                        confirmed.set_result(None)

    # -- outage bookkeeping ------------------------------------------------------------------------

    def _mark_down(self, error: BaseException) -> None:
        if self._down_since is None:
            self._down_since = asyncio.get_running_loop().time()

    def _mark_up(self) -> None:
        if self._down_since is not None:
            self._down_since = None
            self._next_probe = 0.0
            self._wake.set()  # the listener, if it is waiting to retry, retries now

    def _lost(self, channel: str, reason: str) -> str:
        down = asyncio.get_running_loop().time() - self._down_since if self._down_since is not None else 0.0
        return (
            f"Redis at {self.address} is unreachable ({reason}; down for {down:.1f} s): "
            f"the message on channel {channel!r} was not published and is lost"
        )


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


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
