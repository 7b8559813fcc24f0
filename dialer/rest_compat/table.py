"""The shape of one REST v1 route. A domain's module lists its routes as rows of `RestRoute`;
`ROUTES` in `routes.py` is the whole REST surface.

How a request becomes variables: path parameters and query parameters by name (`rename` maps a
query parameter to a differently named variable), the JSON body as the variable named by `body`,
or, for `upload`, a multipart/form-data file part of that name as the variable of the same name, or,
for `raw`, the body as text whatever its type (mod_json_cdr's forms); `headers` maps a request header to
a variable (Content-Type, Accept); `optional_body` lets a JSON body be left out (the variable is then
omitted and takes its GraphQL default).
How the result becomes the response: `field` answers the operation's only top-level field as it
is; `file` answers a `FileDocument` (filename, contentType, text or base64) as the file itself;
`page` answers a connection as `{"items": [...], "next": <cursor or null>}`; `csv` streams every
page of a connection as text/csv, one column per leaf field of its nodes (the document takes
`$first` and `$after`).
In `document`, a spread `...TypeName` with no fragment of that name selects every field of the type.

`formats` (e.g. ("json", "csv")) adds a `format` query parameter choosing between them, the first by
default. As CSV, a `field` route answers the rows under `items` (one column per leaf field selected
there); a route with a `stream` hook runs its operation as usual (roles, arguments, the resolver's own
checks; `$first` is 1, so that costs one small read) and then streams
`stream(coerced variables)`: an async iterator of CSV bytes, header row first, which must hold only
bounded memory and stop its query when cancelled (the client went away). `dialer.graphql.reports.export`
is one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Result = Literal["field", "page", "csv", "file"]
Stream = Callable[[Mapping[str, Any]], AsyncIterator[bytes]]


@dataclass(frozen=True)
class RestRoute:
    method: Literal["GET", "POST", "PATCH", "PUT", "DELETE"]
    path: str
    status: int
    document: str
    tag: str
    body: str | None = None
    upload: str | None = None
    raw: str | None = None
    # The OpenAPI `content` of a raw body; None documents JSON, a form and plain text, any shape.
    raw_media: Mapping[str, Any] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    optional_body: bool = False
    rename: Mapping[str, str] = field(default_factory=dict)
    result: Result = "field"
    formats: tuple[str, ...] = ()
    stream: Stream | None = None
