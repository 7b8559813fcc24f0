"""Events as the controller hands them on: from which node, what happened, the headers."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

# What the controller subscribes to on every node. Standard names and CUSTOM subclasses are sent
# in separate `event` commands: switchio's mixed subscribe drops every standard name (§2.4-3).
CHANNEL_EVENTS = (
    "CHANNEL_CREATE",
    "CHANNEL_PROGRESS",
    "CHANNEL_PROGRESS_MEDIA",
    "CHANNEL_ANSWER",
    "CHANNEL_PARK",
    "CHANNEL_BRIDGE",
    "CHANNEL_UNBRIDGE",
    "CHANNEL_HANGUP",
    "CHANNEL_HANGUP_COMPLETE",
    "DETECTED_TONE",
    "BACKGROUND_JOB",
)
CUSTOM_EVENTS = ("callcenter::info", "avmd::beep", "amd")

# Synthetic events the controller adds to the stream.
NODE_UP = "NODE_UP"
NODE_DOWN = "NODE_DOWN"
CALL_LOST = "CALL_LOST"


@dataclass(frozen=True, slots=True)
class Event:
    node: str
    # Event-Name, or the Event-Subclass of a CUSTOM event (`callcenter::info`).
    name: str
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def uuid(self) -> str | None:
        return self.headers.get("Unique-ID")

    @property
    def body(self) -> str | None:
        return self.headers.get("Body")

    def variable(self, name: str) -> str | None:
        return self.headers.get(f"variable_{name}")


def event_from(node: str, headers: Mapping[str, str]) -> Event:
    name = headers.get("Event-Name", "")
    if name == "CUSTOM":
        name = headers.get("Event-Subclass", name)
    return Event(node, name, headers)


class Subscription:
    """An async iterator of events, registered from the moment it is created (not from the first
    `anext`), so nothing published between subscribing and iterating is missed."""

    def __init__(self, fanout: Fanout) -> None:
        self._fanout = fanout
        self._queue: asyncio.Queue[Event] = asyncio.Queue()
        fanout._subscriptions.add(self)

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> Event:
        return await self._queue.get()

    def close(self) -> None:
        self._fanout._subscriptions.discard(self)

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Fanout:
    """Each subscriber gets every event published after it subscribed, in order.

    Queues are unbounded on purpose: dropping a hangup would leave a call open forever, and a
    consumer that cannot keep up is a bug to see, not to hide."""

    def __init__(self) -> None:
        self._subscriptions: set[Subscription] = set()

    def publish(self, events: Iterable[Event]) -> None:
        for subscription in self._subscriptions:
            put = subscription._queue.put_nowait
            for event in events:
                put(event)

    def subscribe(self) -> Subscription:
        return Subscription(self)
