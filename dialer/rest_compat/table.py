"""The shape of one REST v1 route. A domain's module lists its routes as rows of `RestRoute`;
`ROUTES` in `routes.py` is the whole REST surface.

How a request becomes variables: path parameters and query parameters by name (`rename` maps a
query parameter to a differently named variable), the JSON body as the variable named by `body`,
or, for `upload`, a multipart/form-data file part of that name as the variable of the same name.
How the result becomes the response: `field` answers the operation's only top-level field as it
is; `page` answers a connection as `{"items": [...], "next": <cursor or null>}`; `csv` streams every
page of a connection as text/csv, one column per leaf field of its nodes (the document takes
`$first` and `$after`).
In `document`, a spread `...TypeName` with no fragment of that name selects every field of the type.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Result = Literal["field", "page", "csv"]


@dataclass(frozen=True)
class RestRoute:
    method: Literal["GET", "POST", "PATCH", "PUT", "DELETE"]
    path: str
    status: int
    document: str
    tag: str
    body: str | None = None
    upload: str | None = None
    rename: Mapping[str, str] = field(default_factory=dict)
    result: Result = "field"
