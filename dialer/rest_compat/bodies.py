"""Reading request bodies within their limits: JSON, and one multipart file part."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request

from dialer.graphql.errors import BadRequest


def _too_large(limit: int) -> BadRequest:
    return BadRequest(f"request body exceeds {limit} bytes", {"limitBytes": limit})


def _declared_over(request: Request, limit: int) -> bool:
    declared = request.headers.get("content-length", "")
    return declared.isdigit() and int(declared) > limit


async def read_body(request: Request, limit: int) -> bytes:
    if _declared_over(request, limit):
        raise _too_large(limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def json_body(raw: bytes, content_type: str) -> Any:
    if content_type.split(";")[0].strip().lower() != "application/json":
        raise BadRequest(
            "the body must be JSON: send Content-Type: application/json",
            {"contentType": content_type or None, "expected": "application/json"},
        )
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as bad:
        raise BadRequest(f"malformed JSON: {bad}", {"position": bad.pos}) from None


async def upload(request: Request, part: str, limit: int) -> tuple[UploadFile, FormData]:
    """The file part named `part` of a multipart/form-data body (spooled to disk past 1 MiB)."""
    content_type = request.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() != "multipart/form-data":
        raise BadRequest(
            f"send the file as multipart/form-data in a part named {part!r}",
            {"contentType": content_type or None, "expected": "multipart/form-data"},
        )
    if _declared_over(request, limit):
        raise _too_large(limit)
    try:
        form = await request.form(max_files=1, max_fields=0)
    except Exception as bad:  # python-multipart's and Starlette's parse errors have no common base
        raise BadRequest(f"unreadable multipart body: {bad}") from None
    found = form.get(part)
    others = sorted(set(form.keys()) - {part})
    if not isinstance(found, UploadFile) or others:
        await form.close()
        problems = {part: "a file part is required"} if not isinstance(found, UploadFile) else {}
        problems |= {name: "unknown part" for name in others}
        raise BadRequest.fields(problems)
    if found.size is not None and found.size > limit:
        await form.close()
        raise _too_large(limit)
    return found, form
