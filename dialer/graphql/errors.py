"""Errors with the contract's codes. Resolvers raise these; GraphQL puts the code in
`extensions.code`, and the REST shim turns it into the HTTP status and the error envelope."""

from __future__ import annotations

from typing import Any

STATUS_BY_CODE = {
    "bad_request": 400,
    "unauthorized": 401,
    "forbidden": 403,
    "not_found": 404,
    "conflict": 409,
    "rate_limited": 429,
    "server_error": 500,
}


class DialerError(Exception):
    code = "server_error"

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}

    @property
    def status(self) -> int:
        return STATUS_BY_CODE[self.code]

    @property
    def extensions(self) -> dict[str, Any]:
        # graphql-core copies an original error's `extensions` onto the GraphQL error it reports.
        return {"code": self.code, "details": self.details}


class BadRequest(DialerError):
    code = "bad_request"

    @classmethod
    def fields(cls, problems: dict[str, str], message: str | None = None) -> BadRequest:
        """`problems` maps a field path (`amd.minConfidence`) to why it is wrong."""
        first = next(iter(problems.items()))
        return cls(message or f"{first[0]}: {first[1]}", {"fields": problems})


class Unauthorized(DialerError):
    code = "unauthorized"


class Forbidden(DialerError):
    code = "forbidden"


class NotFound(DialerError):
    code = "not_found"


class Conflict(DialerError):
    code = "conflict"
