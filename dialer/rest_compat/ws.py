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
  disconnected (close 1013): never a silent gap in call.update.
- **Heartbeat.** The server sends `{"type":"ping","ts"}` every 20 s; a client may send
  `{"type":"ping"}` and gets `{"type":"pong","ts"}`."""

from __future__ import annotations

import asyncio
import contextlib
import time
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
    """Bounded; kpi.ticks coalesce per scope under pressure; anything else that does not fit ends the client."""

    def __init__(self, size: int = QUEUE) -> None:
        self.items: asyncio.Queue[dict[str, Any]] = asyncio.Queue(size)
        self.latest_ticks: dict[tuple[str, str], dict[str, Any]] = {}
        self.overflowed = asyncio.Event()

    def put(self, message: dict[str, Any]) -> None:
        if message.get("type") == "kpi.tick" and self.items.full():
            self.latest_ticks[message.get("scope", ""), message.get("id", "")] = message
            return
        try:
            self.items.put_nowait(message)
        except asyncio.QueueFull:
            self.overflowed.set()

    async def get(self) -> dict[str, Any]:
        """Queued messages in order; the coalesced ticks once the queue has drained (they are newer)."""
        if self.items.empty() and self.latest_ticks:
            return self.latest_ticks.pop(next(iter(self.latest_ticks)))
        return await self.items.get()


class WsBridge:
    def __init__(self, authenticate: Authenticate, subscribe: Subscribe) -> None:
        self.authenticate, self.subscribe = authenticate, subscribe

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
        tasks = [asyncio.create_task(self._listen(channel, wanted, queue)) for channel in channels]
        tasks.append(asyncio.create_task(self._read(websocket)))
        try:
            await self._send(websocket, queue)
        except WebSocketDisconnect:
            pass
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

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

    async def _listen(self, channel: str, wanted: Filter, queue: ClientQueue) -> None:
        async with self.subscribe(channel) as subscriber:
            async for event in _messages(subscriber):
                if getattr(subscriber, "gap", None):  # lost upstream (a Redis outage): no silent gap
                    queue.overflowed.set()
                    return
                message = orjson.loads(event.message)
                if wanted.wants(message):
                    queue.put(message)

    async def _read(self, websocket: WebSocket) -> None:
        """Answer pings; anything else from the client is ignored."""
        while True:
            text = await websocket.receive_text()
            with contextlib.suppress(ValueError):
                if orjson.loads(text).get("type") == "ping":
                    await websocket.send_text(orjson.dumps({"type": "pong", "ts": _now_ms()}).decode())

    async def _send(self, websocket: WebSocket, queue: ClientQueue) -> None:
        overflow = asyncio.create_task(queue.overflowed.wait())
        try:
            while True:
                getter = asyncio.create_task(queue.get())
                done, _ = await asyncio.wait({getter, overflow}, timeout=HEARTBEAT, return_when=asyncio.FIRST_COMPLETED)
                if overflow in done:
                    getter.cancel()
                    await self._refuse(
                        websocket,
                        "rate_limited",
                        "messages were lost (this client fell behind, or the "
                        "broadcaster had an outage): reconnect and read the current state again",
                        1013,
                    )
                    return
                if getter not in done:
                    getter.cancel()
                    await websocket.send_text(orjson.dumps({"type": "ping", "ts": _now_ms()}).decode())
                    continue
                await websocket.send_text(orjson.dumps(getter.result()).decode())
        finally:
            overflow.cancel()


async def _messages(subscriber: Any) -> AsyncIterator[Any]:
    async for event in subscriber:
        yield event
