"""Lead imports as jobs.

A job reads its CSV in chunks. Each chunk's leads, rejects and the job's counters (with `rows_done`,
the checkpoint) commit in one transaction, and chunks commit in file order, so a crash loses at most
the chunks in flight (two on PostgreSQL, which stores one while writing the next; one on SQLite),
none of them partly: the job is resumed from `rows_done` (by whichever process finds its heartbeat
stale) and ends with the same result as an uninterrupted run. A cancelled job is rolled back: its
leads and rejects are deleted and the list is as before. Memory is bounded by a few chunks, whatever
the file size.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from dialer.graphql.leads import bulk
from dialer.graphql.leads.chunks import CHUNK, Chunk, StagedChunk, open_chunks
from dialer.graphql.leads.rows import HeaderError, encode_line, open_text, read_header
from dialer.graphql.phones import PhoneParser
from dialer.models import ImportJob, ImportReject, Lead

log = logging.getLogger(__name__)
STALE = timedelta(seconds=60)
ACTIVE = ("queued", "running", "cancelling")
PROGRESS_FIELDS = [
    "accepted",
    "rejected",
    "duplicates",
    "dnc_hits",
    "rows_done",
    "rejected_by_reason",
    "heartbeat_at",
    "bytes_done",
    "bytes_total",
]
TERMINAL = ("done", "failed", "cancelled")
IN_FLIGHT = 2  # chunks stored at once on PostgreSQL

Progress = Callable[[ImportJob], Awaitable[None]]


def check_header(path: str) -> None:
    """Raise HeaderError before any row is read if the file cannot be imported."""
    with open(path, "rb") as binary:
        read_header(open_text(binary))


async def _store(
    job: ImportJob,
    chunk: Chunk | StagedChunk,
    delimiter: str,
    reasons: Counter,
    after: asyncio.Task[None] | None = None,
) -> None:
    """The chunk's leads, rejects and the job's counters in one transaction (the checkpoint).
    `after`: the previous chunk's store, maybe still running. This chunk's rows are written meanwhile,
    on a connection of its own, but its counters and commit wait for that one to commit: checkpoints
    commit in file order, and if that one fails this one rolls back too."""
    now = datetime.now(UTC)
    async with in_transaction() as connection:
        if isinstance(chunk, StagedChunk):
            stored = await bulk.store_staged(connection, chunk, job.list_id, job.id, now)
        else:
            stored = await _store_objects(connection, job, chunk, delimiter, now)
        if after is not None:
            await after
        reasons.update(stored.rejected_by_reason)
        job.accepted += stored.accepted
        job.rejected += sum(stored.rejected_by_reason.values())
        job.duplicates += sum(n for reason, n in stored.rejected_by_reason.items() if reason.startswith("duplicate"))
        job.dnc_hits += stored.dnc_hits
        job.rows_done, job.bytes_done = chunk.last_row, chunk.bytes_read
        job.rejected_by_reason = dict(reasons)
        job.heartbeat_at = datetime.now(UTC)
        # Never the status: a cancel request may have set it meanwhile.
        await job.save(using_db=connection, update_fields=PROGRESS_FIELDS)


async def _store_objects(
    connection: BaseDBAsyncClient, job: ImportJob, chunk: Chunk, delimiter: str, now: datetime
) -> bulk.Stored:
    """SQLite: the chunk's leads, then the rows not inserted as duplicates with the other rejects."""
    rejects = list(chunk.rejects)
    rows = [row for _, row, _ in chunk.leads.values()]
    inserted, dnc_hits = await bulk.insert_leads(connection, rows, job.list_id, job.id, now)
    existing = await bulk.owners(connection, job.list_id, [p for p in chunk.leads if p not in inserted])
    for phone, (number, _, record) in chunk.leads.items():
        if phone not in inserted:
            why = "duplicate_in_file" if existing.get(phone) == job.id else "duplicate_in_list"
            rejects.append((number, why, encode_line(record, delimiter)))
    await bulk.insert_rejects(connection, job.id, rejects)
    return bulk.Stored(len(inserted), dnc_hits, dict(Counter(reason for _, reason, _ in rejects)))


async def _roll_back(job: ImportJob) -> None:
    async with in_transaction():
        await Lead.filter(import_job_id=job.id, list_id=job.list_id).delete()
        await ImportReject.filter(job_id=job.id).delete()
        job.status, job.finished_at = "cancelled", datetime.now(UTC)
        job.accepted = job.rejected = job.duplicates = job.dnc_hits = 0
        job.rejected_by_reason = {}
        await job.save()


async def _settle(tasks: deque[asyncio.Task[None]]) -> None:
    """After a failure: let the chunks still in flight end on their own (each fails once the one
    before it has, and rolls back; cancelling a task mid-transaction is unsafe)."""
    if tasks:
        await asyncio.wait(tasks)
        for task in tasks:
            if not task.cancelled():
                task.exception()  # seen: the failure that counts is the one already propagating


async def _cancel_requested(job: ImportJob) -> bool:
    return await ImportJob.filter(id=job.id, status="cancelling").exists()


async def run(
    job: ImportJob, phones: PhoneParser, progress: Progress, *, owned_file: bool, stopping: Callable[[], bool] = bool
) -> ImportJob:
    """Run (or resume) a job to its end. `owned_file`: the upload is ours to delete afterwards.
    `stopping()` is asked between chunks: when the process shuts down the job stops there, still
    running, and is resumed from its checkpoint later (cancelling a task mid-transaction is unsafe)."""
    if job.status == "cancelling":
        await _roll_back(job)
        await progress(job)
        return job
    job.started_at, job.heartbeat_at = job.started_at or datetime.now(UTC), datetime.now(UTC)
    # Only from queued or running: a cancel may have landed since the job was read.
    started = await ImportJob.filter(id=job.id, status__in=["queued", "running"]).update(
        status="running", started_at=job.started_at, heartbeat_at=job.heartbeat_at
    )
    if not started:
        await job.refresh_from_db(fields=["status"])
        if job.status == "cancelling":
            await _roll_back(job)
            await progress(job)
        return job
    job.status = "running"
    reasons: Counter = Counter(job.rejected_by_reason)
    try:
        with open(job.path, "rb") as binary, open_text(binary) as text:
            delimiter = read_header(text).delimiter
        job.bytes_total = os.path.getsize(job.path)
        staged = bulk.is_postgres(Lead._meta.db)  # PostgreSQL takes the chunk as COPY text
        source = open_chunks(job.path, job.rows_done, phones.default_region, job.bytes_total, CHUNK, staged=staged)
        # Chunks being stored, oldest first: on PostgreSQL two at once, so that its two cores write
        # while the reader process parses; SQLite has one writer.
        storing: deque[asyncio.Task[None]] = deque()
        depth = IN_FLIGHT if staged else 1
        try:
            while True:
                chunk = await source.next()  # read meanwhile: earlier chunks are being stored
                while storing and (chunk is None or len(storing) >= depth):
                    await storing.popleft()
                    await progress(job)
                    cancelled = await _cancel_requested(job)
                    if cancelled or stopping():
                        while storing:  # the chunk still in flight commits first, in order
                            await storing.popleft()
                        if cancelled:
                            await _roll_back(job)
                            await progress(job)
                        return job
                if chunk is None:
                    break
                after = storing[-1] if storing else None
                storing.append(asyncio.create_task(_store(job, chunk, delimiter, reasons, after)))
        finally:
            source.close()
            await _settle(storing)
        job.bytes_done, job.finished_at = job.bytes_total, datetime.now(UTC)
        finished = await ImportJob.filter(id=job.id, status="running").update(
            status="done", finished_at=job.finished_at, bytes_done=job.bytes_done
        )
        if finished:
            job.status = "done"
        else:  # a cancel landed after the last chunk
            await _roll_back(job)
    except (OSError, HeaderError) as failure:
        job.status, job.error, job.finished_at = "failed", str(failure)[:2000], datetime.now(UTC)
        await job.save(update_fields=["status", "error", "finished_at"])
    if owned_file and job.status in TERMINAL:
        try:
            os.unlink(job.path)
        except OSError:
            log.warning("could not remove finished upload %s", job.path)
    await progress(job)
    return job


async def claim_stalled(now: datetime) -> list[ImportJob]:
    """Jobs whose worker died (no heartbeat for a minute), claimed by this process to resume."""
    claimed = []
    for job in await ImportJob.filter(status__in=list(ACTIVE)):
        beat = job.heartbeat_at or job.created_at
        if now - beat < STALE:
            continue
        took = await ImportJob.filter(id=job.id, heartbeat_at=job.heartbeat_at).update(heartbeat_at=now)
        if took:
            job.heartbeat_at = now
            claimed.append(job)
    return claimed
