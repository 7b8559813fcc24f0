"""Our Redis backend for broadcaster (dialer.app.broadcast): fan-out across replicas that survives
Redis restarts (docs/live.md, "Fan-out across replicas").

broadcaster 0.3.1's RedisBackend loses every message on Python 3.11 (it reports a subscription before
Redis confirmed it) and never recovers from a Redis restart; `ResilientRedisBackend` does both, and
tells subscribers of what an outage lost with an `Outage` marker in their stream.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from typing import Any
from urllib.parse import urlsplit

from broadcaster import BroadcastBackend, Event
from redis import asyncio as aioredis
from redis import exceptions as redis_errors
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

log = logging.getLogger(__name__)

# What "Redis is unreachable" looks like: refused or reset connections, timeouts, a server still loading.
_UNREACHABLE = (redis_errors.ConnectionError, redis_errors.TimeoutError, OSError)


class BroadcastUnavailable(RuntimeError):
    """A message could not be published because the broker is unreachable; the message is lost."""


class Outage(Event):
    """Queued in place of what a broker outage lost, so a subscriber learns of it in stream order."""

    def __init__(self, channel: str) -> None:
        super().__init__(channel, "")


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
                        self._events.put_nowait(Outage(channel))
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
