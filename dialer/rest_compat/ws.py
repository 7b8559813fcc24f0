"""`GET /ws`: the contract's live messages (kpi.tick, call.update, agent.update, queue.update) over a
WebSocket, read from the same broadcaster channels the GraphQL subscriptions read.

- **Auth.** A bearer token in the `Authorization` header; browsers, which cannot set it, pass
  `?token=<token>` or send `{"type":"auth","token":"<token>"}` as their first message (within 5 s).
  Roles: admin, supervisor, viewer, agent. A refused socket is closed with code 4401 (no or bad
  token) or 4403 (role), after an `{"type":"error",...}` message in the contract's terms.
- **Filters** (query string): `types=kpi.tick,call.update` (default: all four), `campaignId=cmp_1`
  (call.update and kpi.tick of that campaign), `scope=global|campaign|trunk` and `id=` (kpi.tick).
- **A slow client never slows the others.** Each client has a bounded queue. When it is full, a
  kpi.tick replaces the older tick of its scope still waiting, and a client that cannot take a
  call.update or an agent/queue update is told (`{"type":"error","code":"rate_limited",...}`) and
  disconnected (close 1013): never a silent gap in call.update. The same holds when the broadcaster
  lost messages in an outage (Redis restarting), except for kpi.tick: each tick is its scope's whole
  state, so a client of ticks alone stays connected and the ticks resume when Redis is back.
- **One subscription per replica.** However many clients, a replica holds one broadcaster
  subscription per channel (`Hub`): each message is parsed once, matched against every client's
  filter, and its text queued as received (no encoding per client).
- **Heartbeat.** The server sends `{"type":"ping","ts"}` every 20 s; a client may send
  `{"type":"ping"}` and gets `{"type":"pong","ts"}`."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import orjson
from starlette.websockets import WebSocket, WebSocketDisconnect

from dialer.graphql.permissions import READ, Principal, Role

CHANNELS = {"kpi.tick": "kpi", "call.update": "calls", "agent.update": "agents", "queue.update": "queues"}
ROLES = READ | {Role.agent}
QUEUE = 1000
HEARTBEAT = 20.0
AUTH_WAIT = 5.0
SNAPSHOT_CHANNELS = frozenset({"kpi"})  # each message the whole state of its scope
CAMPAIGN_CHANNELS = frozenset({"calls", "kpi"})  # where a campaignId filter narrows what a client gets
Authenticate = Callable[[str | None], Awaitable[tuple[Principal | None, str | None]]]
Subscribe = Callable[[str], AbstractAsyncContextManager[Any]]


def _now_ms() -> int:
    return int(time.time() * 1000)


class Filter:
    def __init__(self, params: dict[str, str]) -> None:
        types = [t.strip() for t in params.get("types", "").split(",") if t.strip()]
        unknown = [t for t in types if t not in CHANNELS]
        if unknown:
            raise ValueError(f"unknown message types: {', '.join(unknown)}; known: {', '.join(CHANNELS)}")
        self.types = set(types or CHANNELS)
        self.campaign = params.get("campaignId") or None
        self.scope = params.get("scope") or None
        self.id = params.get("id") or None

    def wants(self, message: dict[str, Any]) -> bool:
        kind = message.get("type")
        if kind not in self.types:
            return False
        if kind == "kpi.tick":
            if self.scope and message.get("scope") != self.scope:
                return False
            if self.id and message.get("id") != self.id:
                return False
            return not (
                self.campaign and not (message.get("scope") == "campaign" and message.get("id") == self.campaign)
            )
        if kind == "call.update" and self.campaign:
            return message.get("campaignId") == self.campaign
        return True


class ClientQueue:
    """Bounded; kpi.ticks coalesce per scope under pressure; anything else that does not fit ends the client.
    Holds each message's text, ready to send."""

    def __init__(self, size: int = QUEUE) -> None:
        self.size = size
        self.items: deque[str] = deque()
        self.latest_ticks: dict[tuple[str, str], str] = {}
        self.overflowed = asyncio.Event()
        self.ready = asyncio.Event()  # set when there may be something to take (or it overflowed)

    def put(self, message: dict[str, Any], text: str | None = None) -> None:
        text = text if text is not None else orjson.dumps(message).decode()
        if len(self.items) >= self.size:
            if message.get("type") == "kpi.tick":
                self.latest_ticks[message.get("scope", ""), message.get("id", "")] = text
            else:
                self.overflowed.set()
        else:
            self.items.append(text)
        self.ready.set()

    def take(self) -> str | None:
        """The next message, or None (and `ready` cleared) when there is none: queued messages in order,
        then the coalesced ticks once the queue has drained (they are newer)."""
        if self.items:
            return self.items.popleft()
        if self.latest_ticks:
            return self.latest_ticks.pop(next(iter(self.latest_ticks)))
        self.ready.clear()
        return None

    async def get(self) -> str:
        while (text := self.take()) is None:
            await self.ready.wait()
        return text


class Hub:
    """The replica's one subscription per channel, shared by its clients: started with the first client
    of a channel, ended with the last. Clients that follow one campaign are indexed by it, so a
    message is matched only against the clients it may concern, not against every client."""

    def __init__(self, subscribe: Subscribe) -> None:
        self.subscribe = subscribe
        self.clients: dict[str, dict[ClientQueue, Filter]] = {}
        self.by_campaign: dict[str, dict[str, dict[ClientQueue, Filter]]] = {}
        self.unindexed: dict[str, dict[ClientQueue, Filter]] = {}
        self.pumps: dict[str, asyncio.Task[None]] = {}

    def join(self, channel: str, queue: ClientQueue, wanted: Filter) -> None:
        self.clients.setdefault(channel, {})[queue] = wanted
        if wanted.campaign and channel in CAMPAIGN_CHANNELS:
            self.by_campaign.setdefault(channel, {}).setdefault(wanted.campaign, {})[queue] = wanted
        else:
            self.unindexed.setdefault(channel, {})[queue] = wanted
        if channel not in self.pumps or self.pumps[channel].done():
            self.pumps[channel] = asyncio.get_running_loop().create_task(self._pump(channel))

    def leave(self, channel: str, queue: ClientQueue) -> None:
        clients = self.clients.get(channel, {})
        wanted = clients.pop(queue, None)
        self.unindexed.get(channel, {}).pop(queue, None)
        if wanted is not None and wanted.campaign:
            following = self.by_campaign.get(channel, {}).get(wanted.campaign, {})
            following.pop(queue, None)
            if not following:
                self.by_campaign.get(channel, {}).pop(wanted.campaign, None)
        if not clients and channel in self.pumps:
            self.pumps.pop(channel).cancel()

    def _concerned(self, channel: str, message: dict[str, Any]) -> list[tuple[ClientQueue, Filter]]:
        concerned = list(self.unindexed.get(channel, {}).items())
        campaign = message.get("campaignId") if channel == "calls" else message.get("id")
        if channel in CAMPAIGN_CHANNELS and isinstance(campaign, str):
            concerned += self.by_campaign.get(channel, {}).get(campaign, {}).items()
        return concerned

    async def _pump(self, channel: str) -> None:
        try:
            async with self.subscribe(channel) as subscriber:
                async for event in _messages(subscriber):
                    clients = self.clients.get(channel, {})
                    # Lost upstream (a Redis outage): no silent gap, except in kpi.ticks, each of which
                    # is the whole state of its scope: the next one makes up for any lost before it.
                    if getattr(subscriber, "gap", None) and channel not in SNAPSHOT_CHANNELS:
                        for queue in clients:
                            queue.overflowed.set()
                    message = orjson.loads(event.message)
                    for queue, wanted in self._concerned(channel, message):
                        if wanted.wants(message):
                            queue.put(message, event.message)
        except asyncio.CancelledError:
            raise
        except Exception:  # the broadcaster went away for good: the clients are told, not left waiting
            for queue in self.clients.get(channel, {}):
                queue.overflowed.set()
            raise


class WsBridge:
    def __init__(self, authenticate: Authenticate, subscribe: Subscribe) -> None:
        self.authenticate = authenticate
        self.hub = Hub(subscribe)

    async def endpoint(self, websocket: WebSocket) -> None:
        await websocket.accept()
        params = dict(websocket.query_params)
        credential = websocket.headers.get("authorization") or (
            f"Bearer {params['token']}" if "token" in params else None
        )
        if credential is None:
            credential = await self._first_message_token(websocket)
        principal, why = await self.authenticate(credential)
        if principal is None:
            await self._refuse(websocket, "unauthorized", why or "missing bearer token", 4401)
            return
        if principal.role not in ROLES:
            await self._refuse(websocket, "forbidden", f"role {principal.role.value} may not read the live view", 4403)
            return
        try:
            wanted = Filter(params)
        except ValueError as bad:
            await self._refuse(websocket, "bad_request", str(bad), 4400)
            return
        queue = ClientQueue()
        channels = {CHANNELS[t] for t in wanted.types}
        for channel in channels:
            self.hub.join(channel, queue, wanted)
        reader = asyncio.create_task(self._read(websocket))
        try:
            await self._send(websocket, queue)
        except WebSocketDisconnect:
            pass
        finally:
            for channel in channels:
                self.hub.leave(channel, queue)
            reader.cancel()
            await asyncio.gather(reader, return_exceptions=True)

    async def _first_message_token(self, websocket: WebSocket) -> str | None:
        with contextlib.suppress(TimeoutError, WebSocketDisconnect, ValueError):
            first = orjson.loads(await asyncio.wait_for(websocket.receive_text(), AUTH_WAIT))
            if isinstance(first, dict) and first.get("type") == "auth" and isinstance(first.get("token"), str):
                return f"Bearer {first['token']}"
        return None

    async def _refuse(self, websocket: WebSocket, code: str, message: str, close: int) -> None:
        with contextlib.suppress(Exception):
            await websocket.send_text(orjson.dumps({"type": "error", "code": code, "message": message}).decode())
            await websocket.close(close)

    async def _read(self, websocket: WebSocket) -> None:
        """Answer pings; anything else from the client is ignored."""
        while True:
            text = await websocket.receive_text()
            with contextlib.suppress(ValueError):
                if orjson.loads(text).get("type") == "ping":
                    await websocket.send_text(orjson.dumps({"type": "pong", "ts": _now_ms()}).decode())

    async def _send(self, websocket: WebSocket, queue: ClientQueue) -> None:
        # No task per message: drain what is queued, wait (with the heartbeat as timeout) only when empty.
        while True:
            if queue.overflowed.is_set():
                await self._refuse(
                    websocket,
                    "rate_limited",
                    "messages were lost (this client fell behind, or the "
                    "broadcaster had an outage): reconnect and read the current state again",
                    1013,
                )
                return
            text = queue.take()
            if text is not None:
                await websocket.send_text(text)
                continue
            try:
                async with asyncio.timeout(HEARTBEAT):
                    await queue.ready.wait()
            except TimeoutError:
                await websocket.send_text(orjson.dumps({"type": "ping", "ts": _now_ms()}).decode())


async def _messages(subscriber: Any) -> AsyncIterator[Any]:
    async for event in subscriber:
        yield event
