"""Which replica speaks for the cluster on the live channels.

Every replica holds an ESL connection to every FreeSWITCH node and so hears every event: each keeps
its own KPI windows and agent board from them (runtime and provider health read them on any
replica), but if each also published what it heard, a /ws client would get every call.update,
kpi.tick, agent.update and queue.update once per replica. So one replica publishes those: the one
holding the live lease (a row of campaign_leases under key `LIVE`, renewed every few seconds; it
works on SQLite and PostgreSQL alike). A replica that dies stops renewing and another takes over
once the lease expires: the live channels then pause for at most `ttl` seconds. The same replica
writes the agent status history (dialer.graphql.reports.history), so each change is one row.

With the in-memory broadcaster there is one replica by construction: it leads without asking."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from dialer.app.leases import Lease

log = logging.getLogger(__name__)
LIVE = 0  # campaign ids start at 1: key 0 of campaign_leases is the live lease
Publish = Callable[[str, dict[str, Any]], Awaitable[None]]


class Leader:
    def __init__(self, lease: Lease | None, key: int = LIVE) -> None:
        self.lease, self.key = lease, key
        self.leading = lease is None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self.lease is not None:
            self._task = asyncio.get_running_loop().create_task(self._hold())

    async def close(self) -> None:
        if self._task is None or self.lease is None:
            return
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None
        if self.leading:  # hand over now rather than after the lease expires
            with contextlib.suppress(Exception):
                await self.lease.release(self.key)
        self.leading = False

    async def _hold(self) -> None:
        assert self.lease is not None
        while True:
            try:
                leading = await self.lease.hold(self.key)
            except Exception:  # the database is away: stop speaking, another replica may take over
                log.exception("live lease: renewal failed")
                leading = False
            if leading != self.leading:
                said = ("taken", "publishes") if leading else ("lost", "is quiet")
                log.info("live lease %s: this replica %s", *said)
            self.leading = leading
            await asyncio.sleep(self.lease.ttl / 3)

    def only_while_leading(self, record: Callable[..., None]) -> Callable[..., None]:
        """`record`, only while this replica leads (the agent status history: one row per change)."""

        def gated(*args: Any) -> None:
            if self.leading:
                record(*args)

        return gated

    def gate(self, publish: Publish) -> Publish:
        """`publish`, only while this replica leads."""

        async def gated(channel: str, message: dict[str, Any]) -> None:
            if self.leading:
                await publish(channel, message)

        return gated
