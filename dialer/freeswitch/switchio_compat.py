"""switchio 0.1.0a1 on Python 3.11, contained (ESL-FACTS §1.2, §2.4).

switchio was written for Python 3.5-3.7. Importing it needs `asyncio.coroutine`; connecting needs
`asyncio.Queue(loop=...)`; disconnecting needs `asyncio.wait(..., loop=...)` and `Task.all_tasks`.
Rather than patch the real modules for the whole process, each switchio module gets its own proxy
`asyncio` (and `inspect`) global; `asyncio.coroutine` exists only while switchio is being imported.

Three real defects are fixed here too, because they live in switchio's classes:
- framing: switchio decodes each TCP chunk and slices the text by Content-Length, which counts bytes,
  so one non-ASCII reply desynchronises the connection for good. `ByteFramedProtocol` frames on bytes.
- shutdown: `EventLoop._stop` lets `CancelledError` (a BaseException since 3.8) escape, leaving the
  loop thread running. The wrapper finishes the teardown.
Import switchio only through this module.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import logging
import pkgutil
import sys
import threading
import time
import types
from collections import namedtuple
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

log = logging.getLogger(__name__)

_DROPS_LOOP = {"Queue", "Lock", "Event", "Condition", "Semaphore", "sleep", "wait", "wait_for", "gather", "shield"}
_placeholders = threading.local()


def _without_loop(function: Callable[..., Any]) -> Callable[..., Any]:
    def call(*args: Any, loop: Any = None, **kwargs: Any) -> Any:
        return function(*args, **kwargs)

    return call


class _TaskShim:
    """`asyncio.Task.all_tasks(loop)` / `Task.current_task(loop)`, gone since 3.9."""

    @staticmethod
    def all_tasks(loop: asyncio.AbstractEventLoop | None = None) -> set[asyncio.Task[Any]]:
        return asyncio.all_tasks(loop)

    @staticmethod
    def current_task(loop: asyncio.AbstractEventLoop | None = None) -> asyncio.Task[Any] | None:
        return asyncio.current_task(loop)


def _get_event_loop() -> Any:
    # switchio asks for a loop at construction only to stash it; it replaces it with its own
    # thread's loop on connect. Never create one (3.12 warns, worker threads raise).
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        if not hasattr(_placeholders, "loop"):
            _placeholders.loop = types.SimpleNamespace(is_running=lambda: False)
        return _placeholders.loop


class _AsyncioProxy(types.ModuleType):
    def __init__(self) -> None:
        super().__init__("asyncio")
        self.Task = _TaskShim
        self.base_futures = types.SimpleNamespace(InvalidStateError=asyncio.InvalidStateError)
        self.get_event_loop = _get_event_loop
        for name in _DROPS_LOOP:
            setattr(self, name, _without_loop(getattr(asyncio, name)))

    def __getattr__(self, name: str) -> Any:
        return getattr(asyncio, name)


_ArgSpec = namedtuple("_ArgSpec", "args varargs keywords defaults")


class _InspectProxy(types.ModuleType):
    def __init__(self) -> None:
        super().__init__("inspect")

    @staticmethod
    def getargspec(function: Callable[..., Any]) -> _ArgSpec:
        spec = inspect.getfullargspec(function)
        return _ArgSpec(spec.args, spec.varargs, spec.varkw, spec.defaults)

    def __getattr__(self, name: str) -> Any:
        return getattr(inspect, name)


def _import_switchio() -> types.ModuleType:
    # switchio attaches a stderr handler to the root logger when pandas or uvloop is missing
    # (ESL-FACTS §2.4-6); keep the root logger as the application configured it.
    # It also logs "No module named 'pandas'" to the root logger while importing: silence that.
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    logging.disable(logging.WARNING)
    asyncio.coroutine = types.coroutine  # type: ignore[attr-defined]
    try:
        package = importlib.import_module("switchio")
        for info in pkgutil.walk_packages(package.__path__, "switchio."):
            if ".apps.measure" in info.name:  # needs pandas; nothing here uses it
                continue
            importlib.import_module(info.name)
    finally:
        del asyncio.coroutine  # type: ignore[attr-defined]
        logging.disable(logging.NOTSET)
        root.handlers[:], root.level = handlers, level
    asyncio_proxy, inspect_proxy = _AsyncioProxy(), _InspectProxy()
    for name, module in list(sys.modules.items()):
        if name == "switchio" or name.startswith("switchio."):
            if getattr(module, "asyncio", None) is asyncio:
                module.asyncio = asyncio_proxy
            if getattr(module, "inspect", None) is inspect:
                module.inspect = inspect_proxy
    return package


switchio = _import_switchio()
from switchio import connection as _connection  # noqa: E402
from switchio import loop as _loop  # noqa: E402
from switchio import protocol as _protocol  # noqa: E402
from switchio.commands import build_originate_cmd  # noqa: E402
from switchio.handlers import EventListener, get_listener  # noqa: E402

# Content types whose body is opaque text (api output, notices), not an event to parse.
_RAW_BODIES = {"api/response", "text/disconnect-notice", "log/data", "text/rude-rejection"}


def parse_plain_event(payload: str) -> dict[str, str]:
    """A `text/event-plain` payload: url-encoded `Name: value` lines, then an optional body.

    switchio url-decodes the whole frame before splitting it, so an encoded newline or `: ` inside a
    value corrupts the headers; decode each value on its own instead."""
    head, _, body = payload.partition("\n\n")
    event: dict[str, str] = {}
    for line in head.split("\n"):
        name, sep, value = line.partition(": ")
        if sep:
            event[name] = unquote(value) if "%" in value else value
    if body:
        event["Body"] = body
    return event


class ByteFramedProtocol(_protocol.InboundProtocol):
    """switchio's inbound protocol with framing on bytes, and two hooks for the node: each
    (re)connection once authenticated (to re-send subscriptions) and each loss."""

    on_authenticated: Callable[[ByteFramedProtocol], None] | None = None
    on_lost: Callable[[ByteFramedProtocol], None] | None = None
    on_refused: Callable[[ByteFramedProtocol], None] | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._buffer = bytearray()
        self._pending: dict[str, str] | None = None
        self._pending_length = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._buffer.clear()
        self._pending = None
        super().connection_made(transport)

    def authenticate(self) -> asyncio.Future[Any]:
        # switchio's version raises from inside a loop callback on a wrong password (a traceback in
        # the log, and the caller never told); report it through `on_refused` instead.
        if self._auth_resp is None:
            request = self.reg_fut("auth/request")
            self._auth_resp = response = self.loop.create_future()

            def respond(_: asyncio.Future[Any]) -> None:
                if self.connected():
                    self.sendrecv(f"auth {self.password}", fut=response)

            request.add_done_callback(respond)
            response.add_done_callback(self._authenticated)
        return self._auth_resp

    def connection_lost(self, exc: Exception | None) -> None:
        # Replies are matched to commands by FIFO per content type; a command in flight when the
        # socket dropped will never be answered, and left queued it would take the next reply
        # (the auth reply after a reconnect, which then never authenticates).
        for futures in self._futures_map.values():
            while futures:
                future = futures.popleft()
                if not future.done():
                    future.set_exception(ConnectionError("ESL connection lost"))
        if self.on_lost:
            self.on_lost(self)
        super().connection_lost(exc)

    def _authenticated(self, future: asyncio.Future[Any]) -> None:
        if future.cancelled() or future.exception() is not None:
            return
        if future.result().get("Reply-Text") != "+OK accepted":
            if self.on_refused:
                self.on_refused(self)
        elif self.on_authenticated and self.connected():
            self.on_authenticated(self)

    def data_received(self, data: bytes) -> list[dict[str, str]]:  # type: ignore[override]
        buffer = self._buffer
        buffer += data
        events: list[dict[str, str]] = []
        while True:
            if self._pending is None:
                end = buffer.find(b"\n\n")
                if end < 0:
                    break
                headers: dict[str, str] = {}
                for line in buffer[:end].decode("utf-8", "replace").split("\n"):
                    name, sep, value = line.partition(": ")
                    if sep:
                        headers[name] = value
                del buffer[: end + 2]
                length = int(headers.get("Content-Length") or 0)
                if not length:
                    events.append(headers)
                    continue
                self._pending, self._pending_length = headers, length
            if len(buffer) < self._pending_length:
                break
            payload = bytes(buffer[: self._pending_length]).decode("utf-8", "replace")
            del buffer[: self._pending_length]
            event, self._pending = self._pending, None
            if event.get("Content-Type") in _RAW_BODIES:
                event["Body"] = payload
                # switchio turns a disconnect notice into a SERVER_DISCONNECTED event and warns
                # when an event has no time; give it one.
                event.setdefault("Event-Date-Timestamp", str(int(time.time() * 1_000_000)))
            else:
                event.update(parse_plain_event(payload))
            events.append(event)
        if events:
            self.process_events(events, None)
        return events


# Connection.connect builds its protocol by this global name.
_connection.InboundProtocol = ByteFramedProtocol

_original_stop = _loop.EventLoop._stop


def _stop(self: Any) -> None:
    try:
        _original_stop(self)
    except BaseException as escaped:  # CancelledError from the autorecon task (ESL-FACTS §1.2-4)
        log.debug("switchio teardown raised %r; finishing it", escaped)
        loop = self.loop
        if loop is not None and loop.is_running():
            loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=2)


_loop.EventLoop._stop = _stop


async def _listen_forever(self: Any) -> None:
    # switchio's loop runs `while connected()`: an event dequeued after the socket dropped ends it,
    # and on the way out it cancels every task of the loop, the autorecon task included. Keep
    # listening across reconnects; `_stop` ends it with a None sentinel.
    self._running = True
    try:
        while True:
            event = await self._con.recv_event()
            if event is None:
                break
            name = event.get("Event-Name")
            if name:
                await self._process_event(event, name)
    finally:
        self._running = False


_loop.EventLoop._listen_forever = _listen_forever

__all__ = ["ByteFramedProtocol", "EventListener", "build_originate_cmd", "get_listener", "parse_plain_event"]
