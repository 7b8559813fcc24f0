"""The contract's error envelope, `{"error": {"code", "message", "details"}}`, for every REST error,
including those Starlette raises before a route runs (unknown path, wrong method)."""

from __future__ import annotations

import logging
from typing import Any

import orjson
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from dialer.graphql.errors import STATUS_BY_CODE, DialerError

log = logging.getLogger(__name__)


def envelope(
    code: str, message: str, details: dict[str, Any] | None = None, headers: dict[str, str] | None = None
) -> Response:
    body = orjson.dumps({"error": {"code": code, "message": message, "details": details or {}}})
    return Response(body, status_code=STATUS_BY_CODE[code], media_type="application/json", headers=headers)


def from_error(error: DialerError) -> Response:
    headers = {"WWW-Authenticate": 'Bearer realm="dialer"'} if error.code == "unauthorized" else None
    return envelope(error.code, error.message, error.details, headers)


async def http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return envelope("not_found", f"no route {request.url.path}", {"path": request.url.path})
    if exc.status_code == 405:
        # The contract has no 405 code: a method the path does not take is a bad request; Allow says which do.
        allowed = (exc.headers or {}).get("Allow", "")
        return envelope(
            "bad_request",
            f"{request.method} is not allowed on {request.url.path}",
            {"method": request.method, "allowed": [m.strip() for m in allowed.split(",") if m.strip()]},
            {"Allow": allowed} if allowed else None,
        )
    code = {401: "unauthorized", 403: "forbidden", 409: "conflict", 429: "rate_limited"}.get(exc.status_code)
    if code is None:
        code = "server_error" if exc.status_code >= 500 else "bad_request"
    return envelope(code, str(exc.detail))


async def unhandled(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return envelope("server_error", "internal error; it has been logged")
