"""One FreeSWITCH node, driven through switchio from asyncio code (ESL-FACTS §2.2).

switchio runs one event loop per node in its own thread and owns the ESL socket. This class is the
bridge: every ESL write is made inside that thread (switchio's cross-thread calls mix up replies),
and events come back to the application's loop in batches. It keeps the state of the calls it
originated, re-subscribes after a reconnect, and settles the calls a lost node took with it."""

from __future__ import annotations

import asyncio
import collections
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from dialer.freeswitch import events as ev
from dialer.freeswitch.calls import Call, Originate
from dialer.freeswitch.causes import cause_named
from dialer.freeswitch.switchio_compat import ByteFramedProtocol, get_listener

log = logging.getLogger(__name__)


class EslError(RuntimeError):
    """The node is down, did not answer in time, or refused a bgapi (-ERR). An `api` command's
    own -ERR output is returned as text: only its caller knows whether that is a failure."""


class AuthenticationFailed(EslError):
    pass


@dataclass(frozen=True)
class NodeConfig:
    name: str
    host: str
    port: int = 8021
    password: str = "ClueCon"
    # Most calls this node should carry at once; the cluster fills nodes by free share of this.
    max_calls: int = 1000
    command_timeout: float = 10.0
    # After the socket drops, calls still open are settled as lost if the node is not back by then.
    lost_after: float = 10.0


class BackgroundJob:
    """A `bgapi` command: accepted now (`uuid`), finished later (`await job.result`)."""

    def __init__(self, job_uuid: str, result: asyncio.Future[str]) -> None:
        self.uuid = job_uuid
        self.result = result


class Node:
    def __init__(self, config: NodeConfig, publish: Callable[[list[ev.Event]], None] | None = None) -> None:
        self.config = config
        self.name = config.name
        self.calls: dict[str, Call] = {}
        self.up = False
        # Monotonic time the node was last seen going down (or failing to start); None while up.
        self.down_since: float | None = time.monotonic()
        self._fanout = ev.Fanout()
        self._publish_cluster = publish
        self._app_loop: asyncio.AbstractEventLoop | None = None
        self._listener: Any = None
        self._jobs: dict[str, asyncio.Future[str]] = {}
        self._outbox: collections.deque[dict[str, str]] = collections.deque()
        self._flush_scheduled = False
        self._ready = threading.Event()
        self._auth_failed = False
        self._lost_timer: asyncio.TimerHandle | None = None
        self._closing = False

    # -- life cycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Connect, authenticate and subscribe; raises AuthenticationFailed or ConnectionError."""
        self._app_loop = asyncio.get_running_loop()
        refused = AuthenticationFailed(f"{self.name}: ESL password refused by {self.config.host}:{self.config.port}")
        try:
            await asyncio.to_thread(self._start_switchio)
        except BaseException:
            await self.close()
            if self._auth_failed:
                raise refused from None
            raise
        if self._auth_failed:
            await self.close()
            raise refused

    def _start_switchio(self) -> None:
        listener = get_listener(self.config.host, self.config.port, self.config.password)
        self._listener = listener
        loop = listener.event_loop
        for name in (*ev.CHANNEL_EVENTS, *ev.CUSTOM_EVENTS):
            loop._handlers[name] = self._tap(loop._handlers.get(name))
        # switchio's own handler warns on every notice, our own `exit` included.
        loop._handlers["SERVER_DISCONNECTED"] = self._tap(None)
        # EventLoop.connect() would also subscribe, mixing CUSTOM names with standard ones; connect
        # the connection directly and let `_authenticated` send the subscriptions, on every connect.
        loop._launch_bg_loop()
        deadline = time.monotonic() + 5
        while loop.loop is None and time.monotonic() < deadline:
            time.sleep(0.002)
        connection = loop._con
        connect = connection.connect(block=False, loop=loop.loop)
        connection.protocol.on_authenticated = self._authenticated
        connection.protocol.on_lost = self._lost
        connection.protocol.on_refused = self._refused
        asyncio.run_coroutine_threadsafe(connect, loop.loop).result(5)
        if not self._ready.wait(5) and not self._auth_failed:
            raise ConnectionError(f"{self.name}: no ESL auth reply from {self.config.host}:{self.config.port}")
        if not self._auth_failed:
            loop.start()

    async def close(self) -> None:
        self._closing = True
        listener, self._listener = self._listener, None
        if listener is not None:
            protocol = listener.event_loop._con.protocol
            if protocol is not None:
                protocol.autorecon = False
            try:
                await asyncio.to_thread(listener.disconnect)
            except BaseException as escaped:  # CancelledError from switchio's teardown (§2.4-5)
                log.debug("%s: switchio disconnect raised %r", self.name, escaped)
        self._fail_jobs()
        self._settle_lost(ev.NODE_DOWN)
        if self._lost_timer:
            self._lost_timer.cancel()

    # -- commands ----------------------------------------------------------------------------

    async def api(self, command: str) -> str:
        """Run an API command and return its output (FreeSWITCH runs it inline: keep it short)."""
        reply = await self._send(lambda protocol: protocol.sendrecv(f"api {command}", "api/response"))
        return reply.get("Body", "")

    async def bgapi(self, command: str) -> BackgroundJob:
        job_uuid = str(uuid.uuid4())
        result: asyncio.Future[str] = self._loop().create_future()
        self._jobs[job_uuid] = result
        try:
            reply = await self._send(lambda protocol: protocol.sendrecv(f"bgapi {command}\nJob-UUID: {job_uuid}"))
        except BaseException:
            self._jobs.pop(job_uuid, None)
            raise
        text = reply.get("Reply-Text", "")
        if not text.startswith("+OK"):
            self._jobs.pop(job_uuid, None)
            raise EslError(f"{self.name}: bgapi {command.split(' ', 1)[0]}: {text}")
        return BackgroundJob(job_uuid, result)

    async def originate(self, request: Originate) -> Call:
        """Start an outbound call; the returned Call follows it to its hangup."""
        call = Call(request, self.name, self._loop())
        self.calls[request.uuid] = call
        try:
            job = await self.bgapi(request.command())
        except BaseException:
            self.calls.pop(request.uuid, None)
            raise
        call.job_uuid = job.uuid
        job.result.add_done_callback(call.job_done)
        return call

    async def hangup(self, call_uuid: str, cause: str = "NORMAL_CLEARING") -> bool:
        return (await self.api(f"uuid_kill {call_uuid} {cause}")).startswith("+OK")

    def events(self) -> ev.Subscription:
        return self._fanout.subscribe()

    @property
    def active_calls(self) -> int:
        return len(self.calls)

    @property
    def headroom(self) -> float:
        limit = self.config.max_calls
        return 1.0 - len(self.calls) / limit if limit > 0 else 0.0

    def _loop(self) -> asyncio.AbstractEventLoop:
        if self._app_loop is None:
            raise EslError(f"{self.name}: not started")
        return self._app_loop

    async def _send(self, write: Callable[[ByteFramedProtocol], asyncio.Future[dict[str, str]]]) -> dict[str, str]:
        """Register the reply and write the command inside switchio's thread, atomically."""
        app_loop = self._loop()
        if not self.up or self._listener is None:
            raise EslError(f"{self.name}: node is down")
        reply: asyncio.Future[dict[str, str]] = app_loop.create_future()
        protocol = self._listener.event_loop._con.protocol

        def settle(done: asyncio.Future[dict[str, str]]) -> None:
            if reply.done():
                return
            if done.cancelled():
                reply.cancel()
            elif done.exception() is not None:
                reply.set_exception(EslError(f"{self.name}: {done.exception()}"))
            else:
                reply.set_result(done.result())

        def in_switchio() -> None:
            try:
                sent = write(protocol)
            except Exception as failed:
                app_loop.call_soon_threadsafe(settle, _failed(app_loop, failed))
                return
            sent.add_done_callback(lambda done: app_loop.call_soon_threadsafe(settle, done))

        self._listener.event_loop.loop.call_soon_threadsafe(in_switchio)
        return await asyncio.wait_for(reply, self.config.command_timeout)

    # -- switchio thread ---------------------------------------------------------------------

    def _tap(self, original: Callable[[dict[str, str]], Any] | None) -> Callable[[dict[str, str]], Any]:
        def handler(event: dict[str, str]) -> Any:
            self._outbox.append(event)
            if not self._flush_scheduled:
                self._flush_scheduled = True
                self._loop().call_soon_threadsafe(self._flush)
            return original(event) if original else (True, None)

        return handler

    def _authenticated(self, protocol: ByteFramedProtocol) -> None:
        """Each (re)connection: subscribe (standard names, then CUSTOM subclasses, separately),
        then ask which channels the node still has, to settle the ones it lost."""
        protocol.sendrecv("event plain " + " ".join(ev.CHANNEL_EVENTS))
        protocol.sendrecv("event plain CUSTOM " + " ".join(ev.CUSTOM_EVENTS))
        channels = protocol.sendrecv("api show channels as json", "api/response")
        channels.add_done_callback(self._channels_listed)

    def _channels_listed(self, done: asyncio.Future[dict[str, str]]) -> None:
        if done.cancelled() or done.exception() is not None:
            return
        live = channel_uuids(done.result().get("Body", ""))
        listener = self._listener
        if listener is not None and live is not None:  # switchio's own session tracking, purged the same way
            for stale in [key for key in listener.sessions if key not in live]:
                session = listener.sessions.pop(stale)
                if session.call is not None:
                    listener.calls.pop(session.call.uuid, None)
        self._loop().call_soon_threadsafe(self._came_up, live)
        self._ready.set()

    def _refused(self, protocol: ByteFramedProtocol) -> None:
        # FreeSWITCH closes after `-ERR invalid`; without this switchio would retry the same
        # password for its whole autorecon budget.
        protocol.autorecon = False
        self._auth_failed = True
        self._ready.set()

    def _lost(self, protocol: ByteFramedProtocol) -> None:
        if self._app_loop is not None and not self._app_loop.is_closed():
            self._app_loop.call_soon_threadsafe(self._went_down)

    # -- application loop --------------------------------------------------------------------

    def _flush(self) -> None:
        self._flush_scheduled = False
        outbox, batch = self._outbox, []
        while outbox:
            event = ev.event_from(self.name, outbox.popleft())
            self._track(event)
            batch.append(event)
        self._emit(batch)

    def _emit(self, batch: list[ev.Event]) -> None:
        if batch:
            self._fanout.publish(batch)
            if self._publish_cluster:
                self._publish_cluster(batch)

    def _track(self, event: ev.Event) -> None:
        name = event.name
        if name == "BACKGROUND_JOB":
            future = self._jobs.pop(event.headers.get("Job-UUID", ""), None)
            if future and not future.done():
                future.set_result(event.body or "")
            return
        call = self.calls.get(event.uuid or "")
        if call is None:
            return
        call.on_event(event)
        if name == "CHANNEL_HANGUP_COMPLETE":
            del self.calls[call.uuid]

    def _came_up(self, live: set[str] | None) -> None:
        if self._lost_timer:
            self._lost_timer.cancel()
            self._lost_timer = None
        if self.down_since is not None and self._listener is not None:
            log.info("FreeSWITCH node %s connected (%s:%s)", self.name, self.config.host, self.config.port)
        self.up, self.down_since = True, None
        self._emit([ev.Event(self.name, ev.NODE_UP, {"Node": self.name})])
        if live is not None:
            self._settle_lost(ev.CALL_LOST, keep=live)

    def _went_down(self) -> None:
        if self._auth_failed or not self.up:
            return
        self.up, self.down_since = False, time.monotonic()
        self._fail_jobs()
        self._emit([ev.Event(self.name, ev.NODE_DOWN, {"Node": self.name})])
        if not self._closing:
            log.warning("FreeSWITCH node %s lost its ESL connection; reconnecting", self.name)
            self._lost_timer = self._loop().call_later(self.config.lost_after, self._settle_lost, ev.CALL_LOST)

    def _fail_jobs(self) -> None:
        # A BACKGROUND_JOB sent while the socket was down never reaches us. The calls among these
        # jobs are settled by the reconciliation after the reconnect (or by `lost_after`).
        jobs, self._jobs = self._jobs, {}
        for future in jobs.values():
            if not future.done():
                future.set_exception(EslError(f"{self.name}: connection lost before the job finished"))

    def _settle_lost(self, reason: str, keep: set[str] | None = None) -> None:
        """Calls the node no longer has end with NETWORK_OUT_OF_ORDER, announced as CALL_LOST."""
        lost = [call for key, call in self.calls.items() if keep is None or key not in keep]
        cause = cause_named("NETWORK_OUT_OF_ORDER")
        batch = []
        for call in lost:
            del self.calls[call.uuid]
            call.lose(cause)
            batch.append(ev.Event(self.name, ev.CALL_LOST, {"Unique-ID": call.uuid, "Reason": reason, **call.tags}))
        self._emit(batch)


def _failed(loop: asyncio.AbstractEventLoop, error: Exception) -> asyncio.Future[Any]:
    future: asyncio.Future[Any] = loop.create_future()
    future.set_exception(error)
    return future


def channel_uuids(body: str) -> set[str] | None:
    """The uuids in `show channels as json`, or None when the reply cannot be read."""
    try:
        rows = orjson.loads(body).get("rows") or []
    except (orjson.JSONDecodeError, AttributeError):
        return None
    return {row.get("uuid", "") for row in rows}


__all__ = ["AuthenticationFailed", "BackgroundJob", "EslError", "Node", "NodeConfig"]
