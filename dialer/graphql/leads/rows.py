"""CSV rows of a lead import: the header's columns, and one row to a lead or a reason to reject it.

Header names match without regard to case, spaces, '_' or '-' ("First Name" = firstName). Time
zone: the row's own if it is a valid IANA name, else the ZIP's, else the phone exchange's, else the
state's when the whole state lies in one zone; otherwise none (the engine then applies every zone of
the state). State: normalised to its two-letter code, from the column or else the ZIP.

On PostgreSQL a chunk travels as COPY text (`lead_line`, `refused_line`): each row of the file as one
line for a staging table, written by the reader process so that the importer only forwards bytes."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO, NamedTuple

from dialer.graphql.geography import state_code, state_zone, valid_zone, zip_info
from dialer.graphql.phones import PhoneParser

COLUMNS = ("phone", "firstName", "lastName", "state", "timezone", "altPhone1", "altPhone2", "zip", "notes")
LIMITS = {"firstName": 100, "lastName": 100, "zip": 10, "notes": 2000, "timezone": 64}
_KEY = {name.lower(): name for name in COLUMNS}

# Why a row is rejected: stable codes, listed in the README.
REASONS = (
    "missing_phone",
    "invalid_phone",
    "invalid_alt_phone1",
    "invalid_alt_phone2",
    "invalid_state",
    "field_too_long",
    "bad_encoding",
    "duplicate_in_file",
    "duplicate_in_list",
)


class HeaderError(ValueError):
    """The file cannot be imported at all (no phone column, not CSV, empty)."""


@dataclass(frozen=True)
class Header:
    columns: dict[str, int]  # contract name -> position
    ignored: tuple[str, ...]
    delimiter: str


class LeadRow(NamedTuple):  # a tuple, not a dataclass: a million are made per million rows
    phone: str
    alt_phone1: str | None
    alt_phone2: str | None
    first_name: str | None
    last_name: str | None
    state: str | None
    timezone: str | None
    zip: str | None
    notes: str | None


def _key(name: str) -> str:
    return name.strip().lower().replace(" ", "").replace("_", "").replace("-", "")


def open_text(binary: BinaryIO) -> io.TextIOWrapper:
    # utf-8-sig drops a BOM; undecodable bytes become U+FFFD and that row is rejected, not the file.
    return io.TextIOWrapper(binary, encoding="utf-8-sig", errors="replace", newline="")


def read_header(text: io.TextIOWrapper) -> Header:
    first = text.readline()
    if not first.strip():
        raise HeaderError("the file is empty: the first line must be a header with a phone column")
    delimiter = ";" if first.count(";") > first.count(",") else ","
    names = next(csv.reader([first], delimiter=delimiter))
    columns: dict[str, int] = {}
    ignored = []
    for position, name in enumerate(names):
        known = _KEY.get(_key(name).lower())
        if known and known not in columns:
            columns[known] = position
        elif name.strip():
            ignored.append(name.strip())
    if "phone" not in columns:
        raise HeaderError(f"no phone column in the header (found: {', '.join(n.strip() for n in names)[:300]})")
    return Header(columns, tuple(ignored), delimiter)


def records(text: io.TextIOWrapper, header: Header) -> Iterator[list[str]]:
    """Data records after the header; quoted fields may hold delimiters and newlines."""
    csv.field_size_limit(1 << 20)
    yield from csv.reader(text, delimiter=header.delimiter)


class RowReader:
    def __init__(self, header: Header, phones: PhoneParser) -> None:
        self.header = header
        self.phones = phones
        # (position or None, length limit) per column, in COLUMNS order: one tuple walk per row.
        self.slots = [(header.columns.get(name), LIMITS.get(name, 64)) for name in COLUMNS]

    def lead(self, record: list[str]) -> LeadRow | str:
        """The row as a lead, or the reason it is rejected. Hot: runs once per imported row."""
        width = len(record)
        values: list[str | None] = []
        for position, limit in self.slots:
            value = record[position].strip() if position is not None and position < width else ""
            if value:
                if len(value) > limit:
                    return "field_too_long"
                if "\ufffd" in value or "\x00" in value:
                    return "bad_encoding"
                values.append(value)
            else:
                values.append(None)
        raw_phone, first, last, raw_state, raw_zone, raw_alt1, raw_alt2, zip_code, notes = values
        if raw_phone is None:
            return "missing_phone"
        phone = self.phones.parse(raw_phone)
        if phone is None:
            return "invalid_phone"
        alt1 = alt2 = None
        if raw_alt1:
            parsed = self.phones.parse(raw_alt1)
            if parsed is None:
                return "invalid_alt_phone1"
            alt1 = parsed.e164
        if raw_alt2:
            parsed = self.phones.parse(raw_alt2)
            if parsed is None:
                return "invalid_alt_phone2"
            alt2 = parsed.e164
        by_zip = zip_info(zip_code) if zip_code else None
        if raw_state:
            state = state_code(raw_state)
            if state is None:
                return "invalid_state"
        else:
            state = by_zip[0] if by_zip else None
        zone = raw_zone if raw_zone and valid_zone(raw_zone) else None
        zone = zone or (by_zip[1] if by_zip else None) or phone.timezone or (state_zone(state) if state else None)
        return LeadRow(phone.e164, alt1, alt2, first, last, state, zone, zip_code, notes)


def encode_line(record: list[str], delimiter: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="").writerow(record)
    return out.getvalue()


class _Echo:
    # csv's writerow returns whatever its file's write returns; str returns the line it is given.
    write = str


def line_encoder(delimiter: str) -> Callable[[list[str]], str]:
    """encode_line with one writer for the whole file: a writer and a buffer per row cost more than
    the row itself, and the reader process encodes every row (any may turn out a duplicate)."""
    return csv.writer(_Echo(), delimiter=delimiter, lineterminator="").writerow  # type: ignore[return-value]


# PostgreSQL's staging tables (bulk.py), in the order of their COPY lines: a chunk's new numbers,
# and its other rows (rejected, or REPEAT).
STAGE_LEAD_COLUMNS = ("row_number", *LeadRow._fields, "line")
STAGE_REFUSED_COLUMNS = ("row_number", "reason", "phone", "line")
# Not a reason but a note to the staging statement: the number was in the previous chunk, which may
# still be uncommitted (two chunks are stored at once): not inserted, and named in SQL (bulk.py).
REPEAT = "repeat"

_N = "\\N"  # COPY's NULL
# What COPY text must escape. NUL cannot be stored in PostgreSQL text at all: in a rejected row's
# line (rows holding it are rejected as bad_encoding) it becomes U+FFFD, like undecodable bytes.
_SPECIAL = re.compile(r"[\\\t\n\r\x00]")
_ESCAPE = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\x00": "\ufffd"})


def lead_line(number: int, lead: LeadRow, line: str) -> str:
    """A new number's row as a COPY line of the leads stage. Hot: once per lead on PostgreSQL."""
    # Every text value of a lead is part of its line (phones, states and zones are normalised, so
    # plain), so a line without special characters needs no escaping at all: the usual case.
    if _SPECIAL.search(line) is not None:
        line = line.translate(_ESCAPE)
        lead = LeadRow(*(value.translate(_ESCAPE) if value else value for value in lead))
    phone, alt1, alt2, first, last, state, zone, zip_code, notes = lead
    return (
        f"{number}\t{phone}\t{alt1 or _N}\t{alt2 or _N}\t{first or _N}\t{last or _N}\t{state or _N}\t"
        f"{zone or _N}\t{zip_code or _N}\t{notes or _N}\t{line}\n"
    )


def refused_line(number: int, reason: str, phone: str | None, line: str) -> str:
    """A rejected (or REPEAT) row as a COPY line of the refused stage; `phone` normalised or None."""
    return f"{number}\t{reason}\t{phone or _N}\t{line.translate(_ESCAPE)}\n"
