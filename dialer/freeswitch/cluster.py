"""Several FreeSWITCH nodes as one: calls go to the healthy node with the most free capacity,
and the events of all nodes come out of one stream."""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Sequence

from dialer.freeswitch import events as ev
from dialer.freeswitch.calls import Call, Originate
from dialer.freeswitch.node import EslError, Node, NodeConfig

log = logging.getLogger(__name__)


class NoNodeAvailable(EslError):
    """Every node is down or full."""


class Cluster:
    def __init__(self, configs: Sequence[NodeConfig], retry_after: float = 30.0) -> None:
        self._fanout = ev.Fanout()
        self.nodes: dict[str, Node] = {c.name: Node(c, self._fanout.publish) for c in configs}
        self._turn = itertools.count()
        # switchio retries a dropped connection for about 30 s, then gives up; a node down for
        # longer than this (or never reached) gets a fresh connection from the watchdog.
        self.retry_after = retry_after
        self._watchdog: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Connect every node. One that cannot be reached now is logged and retried in the
        background, so one dead box does not keep the dialer from starting."""
        results = await asyncio.gather(*(node.start() for node in self.nodes.values()), return_exceptions=True)
        for node, result in zip(self.nodes.values(), results, strict=True):
            if isinstance(result, BaseException):
                log.warning(
                    "FreeSWITCH node %s (%s:%s) is down: %s", node.name, node.config.host, node.config.port, result
                )
        self._watchdog = asyncio.get_running_loop().create_task(self._watch())

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(min(5.0, self.retry_after))
            now = time.monotonic()
            for name, node in list(self.nodes.items()):
                if node.down_since is not None and now - node.down_since > self.retry_after:
                    try:
                        await self.reconnect(name)
                    except Exception as still_down:
                        self.nodes[name].down_since = now
                        log.info("FreeSWITCH node %s still down: %s", name, still_down)

    async def reconnect(self, name: str) -> None:
        node = self.nodes[name]
        await node.close()
        self.nodes[name] = fresh = Node(node.config, self._fanout.publish)
        await fresh.start()

    async def close(self) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None
        await asyncio.gather(*(node.close() for node in self.nodes.values()), return_exceptions=True)

    def events(self) -> ev.Subscription:
        return self._fanout.subscribe()

    @property
    def up(self) -> list[Node]:
        return [node for node in self.nodes.values() if node.up]

    def choose(self) -> Node:
        """The up node with the largest free share of its max_calls; ties take turns."""
        candidates = [node for node in self.up if node.headroom > 0]
        if not candidates:
            raise NoNodeAvailable("no FreeSWITCH node is up with free capacity")
        best = max(node.headroom for node in candidates)
        tied = [node for node in candidates if node.headroom >= best - 1e-9]
        return tied[next(self._turn) % len(tied)]

    async def originate(self, request: Originate) -> Call:
        return await self.choose().originate(request)

    def node_of(self, call_uuid: str) -> Node | None:
        for node in self.nodes.values():
            if call_uuid in node.calls:
                return node
        return None

    async def hangup(self, call_uuid: str, cause: str = "NORMAL_CLEARING") -> bool:
        node = self.node_of(call_uuid)
        return await node.hangup(call_uuid, cause) if node else False

    async def api(self, command: str) -> dict[str, str]:
        """Run one API command on every up node (mod_callcenter config, for one): node -> output."""
        nodes = self.up
        outputs = await asyncio.gather(*(node.api(command) for node in nodes), return_exceptions=True)
        return {
            node.name: out if isinstance(out, str) else f"-ERR {out}" for node, out in zip(nodes, outputs, strict=True)
        }
