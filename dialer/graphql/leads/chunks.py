"""Reading an import file in chunks of normalised rows, off the event loop.

Normalising a row (phone, state, zone) is pure Python, and one interpreter does it at about the
speed PostgreSQL stores rows. So a large file is read in a child process, which fills a small
bounded queue while the importer stores the previous chunk; a small file is read in a thread,
where a process would cost more to start than it saves. Either way memory holds at most a few
chunks, whatever the file's size.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import queue
from dataclasses import dataclass

from dialer.graphql.leads.rows import HeaderError, LeadRow, RowReader, encode_line, open_text, read_header, records
from dialer.graphql.phones import PhoneParser

CHUNK = 10_000
PROCESS_FROM_BYTES = 4 * 1024 * 1024  # about 50,000 rows
QUEUED_CHUNKS = 2


@dataclass
class Chunk:
    """One chunk: leads by phone (row number, lead, the row as read), and rows already rejected."""

    last_row: int
    bytes_read: int
    leads: dict[str, tuple[int, LeadRow, list[str]]]
    rejects: list[tuple[int, str, str]]


class ChunkReader:
    def __init__(self, path: str, skip: int, region: str, size: int = CHUNK) -> None:
        self.binary = open(path, "rb")  # noqa: SIM115 - closed by close(), after the last chunk
        # Held, not left to the records generator: a collected TextIOWrapper closes the file under us.
        self.text = open_text(self.binary)
        self.reader = RowReader(read_header(self.text), PhoneParser(region))
        self.records = records(self.text, self.reader.header)
        self.skip, self.size, self.number = skip, size, 0

    def next(self) -> Chunk | None:
        leads: dict[str, tuple[int, LeadRow, list[str]]] = {}
        rejects: list[tuple[int, str, str]] = []
        delimiter = self.reader.header.delimiter
        taken = 0
        for record in self.records:
            if not record or (len(record) == 1 and not record[0].strip()):
                continue  # blank lines are not rows
            self.number += 1
            if self.number <= self.skip:
                continue  # committed before a crash
            taken += 1
            lead = self.reader.lead(record)
            if isinstance(lead, str):
                rejects.append((self.number, lead, encode_line(record, delimiter)))
            elif lead.phone in leads:
                rejects.append((self.number, "duplicate_in_file", encode_line(record, delimiter)))
            else:
                leads[lead.phone] = (self.number, lead, record)
            if taken >= self.size:
                break
        if not taken:
            return None
        return Chunk(self.number, self.binary.tell(), leads, rejects)

    def close(self) -> None:
        self.binary.close()


class ThreadChunks:
    def __init__(self, path: str, skip: int, region: str, size: int) -> None:
        self.reader = ChunkReader(path, skip, region, size)

    async def next(self) -> Chunk | None:
        return await asyncio.to_thread(self.reader.next)

    def close(self) -> None:
        self.reader.close()


def _produce(path: str, skip: int, region: str, size: int, out: multiprocessing.Queue) -> None:
    """The child process: every chunk into the queue, then None (or the failure as text)."""
    try:
        reader = ChunkReader(path, skip, region, size)
        while (chunk := reader.next()) is not None:
            out.put(chunk)
        out.put(None)
    except Exception as failure:
        out.put(f"{type(failure).__name__}: {failure}")


class ProcessChunks:
    def __init__(self, path: str, skip: int, region: str, size: int) -> None:
        # spawn, not fork: this process has threads (the ORM's, switchio's) a fork would copy mid-flight.
        context = multiprocessing.get_context("spawn")
        self.queue: multiprocessing.Queue = context.Queue(maxsize=QUEUED_CHUNKS)
        self.process = context.Process(target=_produce, args=(path, skip, region, size, self.queue), daemon=True)
        self.process.start()

    def _get(self) -> Chunk | str | None:
        while True:
            try:
                return self.queue.get(timeout=1.0)
            except queue.Empty:
                if not self.process.is_alive():
                    return "the reader process ended unexpectedly"

    async def next(self) -> Chunk | None:
        item = await asyncio.to_thread(self._get)
        if isinstance(item, str):
            raise OSError(item)
        return item

    def close(self) -> None:
        if self.process.is_alive():
            self.process.terminate()
        self.process.join(timeout=5)
        self.queue.close()


def open_chunks(path: str, skip: int, region: str, size_bytes: int, size: int = CHUNK) -> ThreadChunks | ProcessChunks:
    if size_bytes >= PROCESS_FROM_BYTES:
        return ProcessChunks(path, skip, region, size)
    return ThreadChunks(path, skip, region, size)


__all__ = ["CHUNK", "Chunk", "HeaderError", "open_chunks"]
