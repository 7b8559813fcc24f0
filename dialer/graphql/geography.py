"""US states and ZIP codes: normalised state codes and the time zone a lead lives in."""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path
from zoneinfo import available_timezones

import us


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def valid_zone(name: str) -> bool:
    return name in _zones()


ZIP_TABLE = Path(__file__).resolve().parent / "data" / "zip_zones.tsv.gz"


@cache
def _zip_table() -> dict[str, tuple[str, str | None]]:
    """ZIP -> (state, zone), from the zipcodes package's data (scripts/make_zip_table.py derives the
    table: zipcodes itself holds about 140 MB to answer)."""
    table = {}
    for line in gzip.decompress(ZIP_TABLE.read_bytes()).decode().splitlines():
        code, state, zone = line.split("\t")
        table[code] = (state, zone or None)
    return table


def zip_info(code: str) -> tuple[str, str | None] | None:
    five = code.strip()[:5]
    return _zip_table().get(five) if len(five) == 5 and five.isdigit() else None


@cache
def state_code(text: str) -> str | None:
    """'California', 'calif.'-free exact names, 'CA', 'ca' -> 'CA'; None when it is no US state or territory."""
    found = us.states.lookup(text.strip(), field=None) if text.strip() else None
    return found.abbr if found else None


@cache
def state_zone(code: str) -> str | None:
    """The state's zone when the whole state lies in one; None for the 14 that span several (a single
    guess could put a call outside the legal hours in the other zone)."""
    found = us.states.lookup(code)
    return found.time_zones[0] if found and len(found.time_zones) == 1 else None


AREA_CODE_TABLE = Path(__file__).resolve().parent / "data" / "area_code_states.tsv"


@cache
def _area_codes() -> dict[str, str]:
    """Area code -> state, derived from phonenumbers' geocoding data by scripts/make_area_code_table.py
    (that data itself costs a process about 100 MB)."""
    lines = AREA_CODE_TABLE.read_text().splitlines()
    return dict(line.split("\t") for line in lines if line)


def area_code_state(phone: str) -> str | None:
    """The US state of a NANP number's area code (`phone` in E.164, "+1" and at least the area code):
    FL, OK and CT presume a call to one of their area codes reaches a resident, whatever state the
    lead's address says. Toll-free, non-geographic and non-US codes name none."""
    if not phone.startswith("+1") or len(phone) < 5:
        return None
    return _area_codes().get(phone[2:5])
