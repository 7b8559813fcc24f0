"""Cursor pagination shared by every list: `first` (1-500, default 50) and an `after` cursor.

A cursor is the last row's key as digits (keyset pagination), so pages stay stable while rows are
added; clients should treat it as opaque and pass back what `endCursor` (REST: `next`) gave them."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

import strawberry
from tortoise.queryset import QuerySet

from dialer.graphql.errors import BadRequest

T = TypeVar("T")
DEFAULT_PAGE = 50
MAX_PAGE = 500


@strawberry.type
class PageInfo:
    end_cursor: str | None = strawberry.field(description="Pass as `after` to get the next page.")
    has_next_page: bool


@strawberry.type
class Connection(Generic[T]):
    nodes: list[T]
    page_info: PageInfo


CURSOR = r"^[0-9]{1,18}$"


def encode_cursor(key: int) -> str:
    return str(key)


def decode_cursor(cursor: str, argument: str = "after") -> int:
    if re.fullmatch(CURSOR, cursor) and cursor.isascii():
        return int(cursor)
    raise BadRequest.fields({argument: "is not a cursor this API returned"})


async def paginate(
    rows: QuerySet, first: int | None, after: str | None, convert: Callable[[object], T], *, newest_first: bool = False
) -> Connection[T]:
    """Keyset pagination on the integer primary key."""
    size = DEFAULT_PAGE if first is None else first  # its range is checked with the other arguments
    if after is not None:
        key = decode_cursor(after)
        rows = rows.filter(id__lt=key) if newest_first else rows.filter(id__gt=key)
    found: Sequence = await rows.order_by("-id" if newest_first else "id").limit(size + 1)
    more = len(found) > size
    found = found[:size]
    return Connection(
        nodes=[convert(row) for row in found],
        page_info=PageInfo(end_cursor=encode_cursor(found[-1].id) if found else None, has_next_page=more),
    )
