"""The FreeSWITCH side of the running service: keeps every node's mod_callcenter equal to the
dialer's queues, agents and tiers, watches it for drift, turns its events into agent.update and
queue.update, counts calls per trunk, and places probe calls.

- A change through the API wakes the pusher, which syncs every node that is up.
- A node that (re)connects (NODE_UP) is synced at once.
- The watchdog syncs every node each `interval` seconds and repairs what is stuck (see
  dialer.freeswitch.callcenter); each repair is logged and counted for the checklist.
- mod_callcenter's own status changes (max-no-answer -> On Break) become the desired status."""

from __future__ import annotations

import asyncio
import collections
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from dialer.app.agent_board import AgentBoard
from dialer.app.probe import probe_call
from dialer.engine.kpi import KpiBoard
from dialer.freeswitch import callcenter as cc
from dialer.freeswitch import events as ev
from dialer.freeswitch.cluster import Cluster
from dialer.freeswitch.node import Node, channel_uuids
from dialer.graphql.callcenter.service import desired_state, record_module_status

log = logging.getLogger(__name__)
Publish = Callable[[str, dict[str, Any]], Awaitable[None]]


class Switchboard:
    def __init__(
        self,
        cluster: Cluster,
        publish: Publish,
        interval: float = 15.0,
        stuck_after: float = 60.0,
        kpi: KpiBoard | None = None,
    ) -> None:
        self.cluster, self.publish, self.kpi = cluster, publish, kpi
        self.interval, self.stuck_after = interval, stuck_after
        self.board = AgentBoard()
        # Called with (queue, talk + wrap-up seconds) as each agent finishes a call (the pacers learn from it).
        self.handle_listeners: list[Callable[[str, float], None]] = []
        self._suspects: dict[str, cc.Suspects] = collections.defaultdict(cc.Suspects)
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._sync_lock = asyncio.Lock()
        self._ended: collections.deque[float] = collections.deque()
        self._last_event: dict[str, float] = {}
        self._loaded: dict[str, list[str]] = {}
        self._repairs: collections.deque[float] = collections.deque()
        self._config_fetches: dict[str, float] = {}
        # Status changes we commanded, per node: their agent-status-change events are not the module's own.
        self._echoes: dict[str, collections.Counter[tuple[str, str]]] = collections.defaultdict(collections.Counter)
        self.last_sync: dict[str, dict[str, Any]] = {}
        # Commands a node took without effect (a node without mod_xml_curl keeps its own queue
        # parameters): not repeated every pass while the desired state stays the same.
        self._futile: dict[str, tuple[cc.Desired, frozenset[str]]] = {}

    # -- life cycle ---------------------------------------------------------------------------

    def start(self) -> None:
        events = self.cluster.events()
        loop = asyncio.get_running_loop()
        self._tasks = [
            loop.create_task(self._consume(events)),
            loop.create_task(self._pusher()),
            loop.create_task(self._watchdog()),
        ]
        self._wake.set()  # the first pass brings nodes up to date at start

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []

    # -- what the API asks (graphql.context.Switchboard) -----------------------------------------

    async def callcenter_changed(self) -> None:
        self._wake.set()

    def agent_status(self, name: str) -> str | None:
        return self.board.status(name)

    def agent_busy_for(self, name: str) -> float | None:
        return self.board.busy_for(name)

    def trunk_live(self, trunk: str) -> tuple[float, float]:
        """The live view's figures (dialer.engine.kpi), one source for provider health and kpi.tick."""
        if self.kpi is None:
            return 0.0, 0.0
        window = self.kpi.snapshot("trunk", trunk, time.monotonic())
        return window.asr5m, window.cps

    async def probe(self, trunk: str, e164: str, timeout: int) -> dict[str, Any]:
        return await probe_call(self.cluster, trunk, e164, timeout)

    def config_fetched(self, node: str, name: str) -> None:
        self._config_fetches[node] = time.time()

    def report(self) -> dict[str, Any]:
        now = time.monotonic()
        _trim(self._ended, now - 900)
        _trim(self._repairs, now - 3600)
        return {
            "nodes": [
                {
                    "name": node.name,
                    "address": f"{node.config.host}:{node.config.port}",
                    "up": node.up,
                    "last_event_age_s": round(now - self._last_event[node.name], 1)
                    if node.name in self._last_event
                    else None,
                    "last_sync": self.last_sync.get(node.name),
                }
                for node in self.cluster.nodes.values()
            ],
            "queues_loaded": {name: loaded for name, loaded in self._loaded.items() if self.cluster.nodes[name].up},
            "calls_ended_15m": len(self._ended),
            "repairs_last_hour": len(self._repairs),
            "config_fetches": dict(self._config_fetches),
        }

    # -- syncing ---------------------------------------------------------------------------------

    async def sync_all(self, watchdog: bool = False) -> None:
        async with self._sync_lock:
            desired = await desired_state()
            self.board.wrap_up = {agent.name: agent.wrap_up_time for agent in desired.agents}
            for node in self.cluster.up:
                try:
                    await self._sync(node, desired, watchdog)
                except Exception as failed:  # one node's trouble must not stop the others
                    log.warning("mod_callcenter sync of %s failed: %s", node.name, failed)
                    self.last_sync[node.name] = {"at": time.time(), "error": str(failed)}

    async def _sync(self, node: Node, desired: cc.Desired, watchdog: bool) -> None:
        channels = None
        if watchdog:
            channels = channel_uuids(await node.api("show channels as json"))
            channels = frozenset(channels) if channels is not None else None
        queues = [queue.name for queue in desired.queues]
        observed = await cc.observe(node.api, queues, channels)
        repairs = cc.plan_config(desired, observed)
        futile_for, futile = self._futile.get(node.name, (None, frozenset()))
        if futile_for == desired:
            repairs = [repair for repair in repairs if repair.command not in futile]
        if watchdog:
            repairs += cc.plan_stuck(observed, self._suspects[node.name], time.monotonic(), self.stuck_after)
        for repair in repairs:
            if repair.echo:
                self._echoes[node.name][repair.echo] += 1
        results = await cc.apply(node.api, repairs)
        failed = [(r.command, answer) for r, answer in results if answer.startswith("-ERR")]
        for repair, answer in results:
            # A push is routine; a watchdog repair means something drifted, worth an operator's eye.
            log.log(
                logging.INFO if watchdog else logging.DEBUG,
                "%s: %s -> %s (%s)",
                node.name,
                repair.command,
                answer,
                repair.reason,
            )
            if watchdog:
                self._repairs.append(time.monotonic())
        if repairs:
            observed = await cc.observe(node.api, queues, None)
            still = {repair.command for repair in cc.plan_config(desired, observed)}
            ineffective = {repair.command for repair in repairs} & still
            if ineffective:
                shown = sorted(ineffective)
                more = f" and {len(shown) - 5} more" if len(shown) > 5 else ""
                log.warning("%s keeps differing after: %s%s", node.name, "; ".join(shown[:5]), more)
            self._futile[node.name] = (desired, frozenset(ineffective | (futile if futile_for == desired else set())))
        self._loaded[node.name] = sorted(observed.queues)
        self.last_sync[node.name] = {
            "at": time.time(),
            "commands": len(results),
            "failed": [f"{command} -> {answer}" for command, answer in failed],
        }

    async def _pusher(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                await self.sync_all()
            except Exception:
                log.exception("mod_callcenter push failed")

    async def _watchdog(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.sync_all(watchdog=True)
            except Exception:
                log.exception("mod_callcenter watchdog pass failed")

    # -- events ----------------------------------------------------------------------------------

    async def _consume(self, events: ev.Subscription) -> None:
        with events:
            async for event in events:
                try:
                    await self._on_event(event)
                except Exception:
                    log.exception("switchboard: event %s from %s", event.name, event.node)

    async def _on_event(self, event: ev.Event) -> None:
        now = time.monotonic()
        self._last_event[event.node] = now
        if event.name == ev.NODE_UP:
            self._wake.set()
        elif event.name == ev.NODE_DOWN:
            for agent in self.board.node_down(event.node):
                await self.publish("agents", self.board.agent_update(agent))
        elif event.name == "CHANNEL_HANGUP_COMPLETE":
            self._ended.append(now)
        elif event.name == "callcenter::info":
            await self._on_callcenter(event)

    async def _on_callcenter(self, event: ev.Event) -> None:
        headers = event.headers
        before = self.board.status(headers.get("CC-Agent", "")) if headers.get("CC-Agent") else None
        agent, queue = self.board.on_event(event.node, headers)
        for handled_queue, seconds in self.board.handled:
            for listener in self.handle_listeners:
                listener(handled_queue, seconds)
        self.board.handled.clear()
        if headers.get("CC-Action") == "agent-status-change" and agent:
            status = headers.get("CC-Agent-Status", "")
            echoes = self._echoes[event.node]
            if echoes[agent, status] > 0:
                echoes[agent, status] -= 1
            else:
                await record_module_status(agent, status)
        if agent and self.board.status(agent) != before:
            await self.publish("agents", self.board.agent_update(agent))
        if agent and headers.get("CC-Action") == "bridge-agent-end":
            # Wrap-up ends on the clock, with no event: say so when it does.
            wrap = self.board.wrap_up.get(agent, 0)
            asyncio.get_running_loop().call_later(wrap + 0.05, self._after_wrap_up, agent)
        if queue:
            await self.publish("queues", self.board.queue_update(queue))

    def _after_wrap_up(self, agent: str) -> None:
        if self.board.status(agent) != "Wrapup":
            task = asyncio.get_running_loop().create_task(self.publish("agents", self.board.agent_update(agent)))
            self._tasks.append(task)
            task.add_done_callback(self._tasks.remove)


def _trim(times: collections.deque[float], before: float) -> None:
    while times and times[0] < before:
        times.popleft()
