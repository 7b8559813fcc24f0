"""Reading an import file in chunks of normalised rows, off the event loop.

Normalising a row (phone, state, zone) is pure Python, and one interpreter does it at about the
speed PostgreSQL stores rows. So a large file is read in a child process, which fills a small
bounded queue while the importer stores earlier chunks; a small file is read in a thread,
where a process would cost more to start than it saves. Either way memory holds at most a few
chunks, whatever the file's size.

A chunk comes in one of two shapes. For PostgreSQL (`staged`) it is the chunk's rows already written
as COPY text (`rows.lead_line`, `rows.refused_line`), so that the importer forwards bytes:
unpickling ten thousand rows of Python objects, and encoding them again as query parameters, cost
the importer about as much CPU as PostgreSQL spent storing them. For SQLite it is the rows as Python
objects (`Chunk`).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import queue
from collections.abc import Iterator
from dataclasses import dataclass

from dialer.graphql.leads.rows import (
    REPEAT,
    HeaderError,
    LeadRow,
    RowReader,
    encode_line,
    lead_line,
    line_encoder,
    open_text,
    read_header,
    records,
    refused_line,
)
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


@dataclass
class StagedChunk:
    """One chunk as COPY text for the two staging tables: its new numbers (`leads`), and every other
    row (`refused`): rejected with its reason (a number already seen in the chunk: duplicate_in_file),
    or REPEAT (a number of the previous chunk)."""

    last_row: int
    bytes_read: int
    leads: bytes
    refused: bytes


class ChunkReader:
    def __init__(self, path: str, skip: int, region: str, size: int = CHUNK, staged: bool = False) -> None:
        self.binary = open(path, "rb")  # noqa: SIM115 - closed by close(), after the last chunk
        # Held, not left to the records generator: a collected TextIOWrapper closes the file under us.
        self.text = open_text(self.binary)
        self.reader = RowReader(read_header(self.text), PhoneParser(region))
        self.records = records(self.text, self.reader.header)
        self.skip, self.size, self.number, self.staged = skip, size, 0, staged
        # The previous chunk's numbers (staged only): PostgreSQL stores two chunks at once, and a
        # number of the chunk in flight must not be inserted again meanwhile (see rows.REPEAT).
        self.previous: set[str] = set()

    def _numbered(self) -> Iterator[tuple[int, list[str]]]:
        """The next chunk's records with their row numbers."""
        taken = 0
        for record in self.records:
            if not record or (len(record) == 1 and not record[0].strip()):
                continue  # blank lines are not rows
            self.number += 1
            if self.number <= self.skip:
                continue  # committed before a crash
            yield self.number, record
            taken += 1
            if taken >= self.size:
                return

    def next(self) -> Chunk | StagedChunk | None:
        return self._staged() if self.staged else self._objects()

    def _objects(self) -> Chunk | None:
        leads: dict[str, tuple[int, LeadRow, list[str]]] = {}
        rejects: list[tuple[int, str, str]] = []
        delimiter = self.reader.header.delimiter
        taken = 0
        for number, record in self._numbered():
            taken += 1
            lead = self.reader.lead(record)
            if isinstance(lead, str):
                rejects.append((number, lead, encode_line(record, delimiter)))
            elif lead.phone in leads:
                rejects.append((number, "duplicate_in_file", encode_line(record, delimiter)))
            else:
                leads[lead.phone] = (number, lead, record)
        if not taken:
            return None
        return Chunk(self.number, self.binary.tell(), leads, rejects)

    def _staged(self) -> StagedChunk | None:
        leads: list[str] = []
        refused: list[str] = []
        seen: set[str] = set()
        previous, rows = self.previous, 0
        to_lead, encode = self.reader.lead, line_encoder(self.reader.header.delimiter)
        for number, record in self._numbered():
            rows += 1
            lead = to_lead(record)
            if isinstance(lead, str):
                refused.append(refused_line(number, lead, None, encode(record)))
            elif lead.phone in seen:
                refused.append(refused_line(number, "duplicate_in_file", None, encode(record)))
            else:
                seen.add(lead.phone)
                if lead.phone in previous:
                    refused.append(refused_line(number, REPEAT, lead.phone, encode(record)))
                else:
                    leads.append(lead_line(number, lead, encode(record)))
        if not rows:
            return None
        self.previous = seen
        return StagedChunk(self.number, self.binary.tell(), "".join(leads).encode(), "".join(refused).encode())

    def close(self) -> None:
        self.binary.close()


class ThreadChunks:
    def __init__(self, path: str, skip: int, region: str, size: int, staged: bool) -> None:
        self.reader = ChunkReader(path, skip, region, size, staged)

    async def next(self) -> Chunk | StagedChunk | None:
        return await asyncio.to_thread(self.reader.next)

    def close(self) -> None:
        self.reader.close()


def _produce(path: str, skip: int, region: str, size: int, staged: bool, out: multiprocessing.Queue) -> None:
    """The child process: every chunk into the queue, then None (or the failure as text)."""
    try:
        reader = ChunkReader(path, skip, region, size, staged)
        while (chunk := reader.next()) is not None:
            out.put(chunk)
        out.put(None)
    except Exception as failure:
        out.put(f"{type(failure).__name__}: {failure}")


class ProcessChunks:
    def __init__(self, path: str, skip: int, region: str, size: int, staged: bool) -> None:
        # spawn, not fork: this process has threads (the ORM's, switchio's) a fork would copy mid-flight.
        context = multiprocessing.get_context("spawn")
        self.queue: multiprocessing.Queue = context.Queue(maxsize=QUEUED_CHUNKS)
        arguments = (path, skip, region, size, staged, self.queue)
        self.process = context.Process(target=_produce, args=arguments, daemon=True)
        self.process.start()

    def _get(self) -> Chunk | StagedChunk | str | None:
        while True:
            try:
                return self.queue.get(timeout=1.0)
            except queue.Empty:
                if not self.process.is_alive():
                    return "the reader process ended unexpectedly"

    async def next(self) -> Chunk | StagedChunk | None:
        item = await asyncio.to_thread(self._get)
        if isinstance(item, str):
            raise OSError(item)
        return item

    def close(self) -> None:
        if self.process.is_alive():
            self.process.terminate()
        self.process.join(timeout=5)
        self.queue.close()


def open_chunks(
    path: str, skip: int, region: str, size_bytes: int, size: int = CHUNK, *, staged: bool = False
) -> ThreadChunks | ProcessChunks:
    """`staged`: chunks as COPY text (PostgreSQL), else as Python objects (SQLite)."""
    if size_bytes >= PROCESS_FROM_BYTES:
        return ProcessChunks(path, skip, region, size, staged)
    return ThreadChunks(path, skip, region, size, staged)


__all__ = ["CHUNK", "Chunk", "HeaderError", "StagedChunk", "open_chunks"]
