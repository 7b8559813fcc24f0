"""Public ids are `<prefix>_<n>` (cmp_1, aud_7); the number is the row's primary key."""

from __future__ import annotations

from dialer.graphql.errors import NotFound

MAX_KEY = 2**63 - 1


def parse_id(prefix: str, value: str, what: str) -> int:
    head, _, number = value.partition("_")
    if head == prefix and number.isdigit() and number.isascii() and 0 < int(number) <= MAX_KEY:
        return int(number)
    raise NotFound(f"{what} {value!r} not found", {"id": value})
