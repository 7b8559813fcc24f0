"""Public ids are `<prefix>_<n>` (cmp_1, aud_7); the number is the row's primary key."""

from __future__ import annotations

from typing import TypeVar

from tortoise.models import Model

from dialer.graphql.errors import NotFound

# Primary keys are BIGINT; anything longer than 18 digits cannot be one (and is never parsed).
KEY_DIGITS = 18


def parse_id(prefix: str, value: str, what: str) -> int:
    head, _, number = value.partition("_")
    if head == prefix and 0 < len(number) <= KEY_DIGITS and number.isascii() and number.isdigit() and int(number) > 0:
        return int(number)
    raise NotFound(f"{what} {value!r} not found", {"id": value})


M = TypeVar("M", bound=Model)


async def fetch_by(model: type[M], what: str, **key: str) -> M:
    """The row whose unique key (a queue's or provider's name, a CDR's uuid) is given, or not_found."""
    row = await model.get_or_none(**key)
    if row is None:
        [(name, value)] = key.items()
        raise NotFound(f"{what} {value!r} not found", {"id" if name == "name" else name: value})
    return row


async def fetch(model: type[M], prefix: str, public_id: str, what: str) -> M:
    """The row behind a public id, or not_found."""
    row = await model.get_or_none(id=parse_id(prefix, public_id, what))
    if row is None:
        raise NotFound(f"{what} {public_id!r} not found", {"id": public_id})
    return row
