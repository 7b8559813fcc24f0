"""Scalars beyond GraphQL's own, each with the JSON Schema the OpenAPI document shows for it."""

from __future__ import annotations

import math
import re
from typing import Any, NewType

import strawberry
from strawberry.scalars import JSON

TRUNK_ID = r"[A-Za-z0-9_.\-]{1,64}"
_TRUNK_ID = re.compile(TRUNK_ID)
MAX_TRUNKS = 64


def _trunk_map(value: Any, *, integers: bool) -> dict[str, float | int]:
    """Weights are > 0 and name at least one trunk (drop a trunk to stop using it); caps are whole
    numbers >= 0 (0 holds a trunk back without forgetting its weight)."""
    if not isinstance(value, dict):
        raise ValueError("must be an object mapping trunk ids to numbers")
    if not integers and not value:
        raise ValueError("must name at least one trunk")
    if len(value) > MAX_TRUNKS:
        raise ValueError(f"at most {MAX_TRUNKS} trunks")
    out: dict[str, float | int] = {}
    for trunk, number in value.items():
        if not _TRUNK_ID.fullmatch(trunk):
            raise ValueError(f"trunk id {trunk!r} must match {TRUNK_ID}")
        if isinstance(number, bool) or not isinstance(number, (int, float)) or not math.isfinite(number):
            raise ValueError(f"{trunk}: must be a number")
        if integers and number != int(number):
            raise ValueError(f"{trunk}: must be a whole number")
        if number < 0 or (not integers and number == 0):
            raise ValueError(f"{trunk}: must be {'at least 0' if integers else 'greater than 0'}")
        if number > 1_000_000:
            raise ValueError(f"{trunk}: must be at most 1000000")
        out[trunk] = int(number) if integers else number
    return out


TrunkWeights = NewType("TrunkWeights", dict)
TrunkCaps = NewType("TrunkCaps", dict)
SipHistogram = NewType("SipHistogram", dict)


def _output_only(value: Any) -> Any:
    raise ValueError("this type is output only")


# The schema's StrawberryConfig.scalar_map maps the types above to these definitions.
SCALAR_MAP = {
    TrunkWeights: strawberry.scalar(
        name="TrunkWeights",
        description='Share of calls per trunk id, e.g. {"gw_main": 70, "gw_backup": 30}; non-negative numbers.',
        serialize=lambda value: value,
        parse_value=lambda value: _trunk_map(value, integers=False),
    ),
    TrunkCaps: strawberry.scalar(
        name="TrunkCaps",
        description='Most concurrent calls per trunk id, e.g. {"gw_main": 20}; non-negative whole numbers.',
        serialize=lambda value: value,
        parse_value=lambda value: _trunk_map(value, integers=True),
    ),
    SipHistogram: strawberry.scalar(
        name="SipHistogram",
        description='Final SIP status -> number of calls, e.g. {"486": 120, "480": 30}.',
        serialize=lambda value: {str(code): int(count) for code, count in value.items()},
        parse_value=_output_only,
    ),
}

_TRUNK_KEYS = {"type": "string", "pattern": f"^{TRUNK_ID}$"}
SCALAR_SCHEMAS: dict[str, dict[str, Any]] = {
    "TrunkWeights": {
        "type": "object",
        "propertyNames": _TRUNK_KEYS,
        "additionalProperties": {"type": "number", "exclusiveMinimum": 0, "maximum": 1_000_000},
        "minProperties": 1,
        "maxProperties": MAX_TRUNKS,
    },
    "TrunkCaps": {
        "type": "object",
        "propertyNames": _TRUNK_KEYS,
        "additionalProperties": {"type": "integer", "minimum": 0, "maximum": 1_000_000},
        "maxProperties": MAX_TRUNKS,
    },
    "SipHistogram": {
        "type": "object",
        "propertyNames": {"type": "string", "pattern": "^[1-6][0-9]{2}$"},
        "additionalProperties": {"type": "integer", "minimum": 0},
    },
    "JSON": {},
    "DateTime": {"type": "string", "format": "date-time"},
    "ID": {"type": "string"},
    "Upload": {"type": "string", "format": "binary"},
}

__all__ = ["JSON", "SCALAR_MAP", "SCALAR_SCHEMAS", "SipHistogram", "TrunkCaps", "TrunkWeights"]
