"""The agents' status history, written as the agent board sees it change (dialer.app.agent_board
calls `record`; the app's lifespan starts and closes the writer). Changes are buffered and written
in batches once a second, so a burst of mod_callcenter events costs one insert; at most `limit`
wait, and a change that finds the buffer full is dropped and counted (the log says so)."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from dialer.models import AgentStatusChange

log = logging.getLogger(__name__)


class AgentHistory:
    def __init__(self, interval: float = 1.0, limit: int = 100_000) -> None:
        self.interval, self.limit = interval, limit
        self.pending: list[AgentStatusChange] = []
        self.dropped = 0
        self._task: asyncio.Task[None] | None = None

    def record(self, agent: str, status: str, at: float) -> None:
        """An agent's combined status became `status` at `at` (epoch seconds)."""
        if len(self.pending) >= self.limit:
            self.dropped += 1
            if self.dropped % 1000 == 1:
                log.warning("agent status history: buffer full, %d changes dropped", self.dropped)
            return
        moment = datetime.fromtimestamp(at, UTC)
        self.pending.append(AgentStatusChange(agent=agent[:64], status=status[:16], at=moment))

    async def flush(self) -> None:
        batch, self.pending = self.pending, []
        if not batch:
            return
        try:
            await AgentStatusChange.bulk_create(batch)
        except Exception:  # the database is away: keep the changes for the next pass
            log.exception("agent status history: %d changes not written yet", len(batch))
            self.pending = (batch + self.pending)[: self.limit]

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            await self.flush()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        await self.flush()
