"""Runs lead-import jobs in this process, and takes over jobs whose worker died (any replica's)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime
from pathlib import Path

from dialer.graphql.context import Publisher
from dialer.graphql.leads import imports
from dialer.graphql.leads.types import ImportJob as ImportJobType
from dialer.graphql.phones import PhoneParser
from dialer.models import ImportJob

log = logging.getLogger(__name__)
SWEEP_SECONDS = 30


class ImportWorker:
    def __init__(self, phones: PhoneParser, publish: Publisher, uploads: Path) -> None:
        self.phones, self.publish, self.uploads = phones, publish, uploads
        self.tasks: dict[int, asyncio.Task[None]] = {}
        self.sweeper: asyncio.Task[None] | None = None
        self.stopping = False
        self._stop = asyncio.Event()

    def start(self, job_id: int) -> None:
        running = self.tasks.get(job_id)
        if running is None or running.done():
            self.tasks[job_id] = asyncio.create_task(self._run(job_id), name=f"import-{job_id}")

    async def _run(self, job_id: int) -> None:
        try:
            job = await ImportJob.get(id=job_id)
            if job.status in imports.TERMINAL:
                return
            owned = Path(job.path).resolve().is_relative_to(self.uploads.resolve())
            await imports.run(job, self.phones, self._progress, owned_file=owned, stopping=lambda: self.stopping)
        except asyncio.CancelledError:
            raise  # shutting down: the checkpoint lets the next start resume it
        except Exception:
            log.exception("import job %s failed", job_id)
            await ImportJob.filter(id=job_id).update(
                status="failed", error="internal error; see the server log", finished_at=datetime.now(UTC)
            )
        finally:
            self.tasks.pop(job_id, None)

    async def _progress(self, job: ImportJob) -> None:
        view = ImportJobType.of(job)
        await self.publish(
            "jobs", {"type": "import.update", "id": view.id, "status": view.status, "progressPct": view.progress_pct}
        )

    async def sweep(self) -> None:
        for job in await imports.claim_stalled(datetime.now(UTC)):
            log.info("resuming import %s from row %s", job.public_id, job.rows_done)
            self.start(job.id)

    async def _sweep_forever(self) -> None:
        while not self.stopping:
            try:
                await self.sweep()
            except Exception:
                log.exception("import sweep failed")
            # Woken early by close(): the sweep is never cancelled mid-query (a cancel while the
            # ORM opens its connection leaves that connection unusable).
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), SWEEP_SECONDS)

    def open(self) -> None:
        self.stopping = False
        self._stop = asyncio.Event()
        self.sweeper = asyncio.create_task(self._sweep_forever(), name="import-sweeper")

    async def close(self, grace: float = 10.0) -> None:
        """Jobs stop at their next chunk boundary (resumable) and the sweeper after its sweep; only
        what is still busy after `grace` seconds is cancelled."""
        self.stopping = True
        self._stop.set()
        tasks = [*self.tasks.values(), *([self.sweeper] if self.sweeper else [])]
        if tasks:
            _, late = await asyncio.wait(tasks, timeout=grace)
            for task in late:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
