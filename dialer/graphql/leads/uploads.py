"""Starting, reading and cancelling lead imports from the API."""

from __future__ import annotations

import os
import uuid
from typing import Any

from strawberry.file_uploads import Upload

from dialer.graphql.context import AuditScope, Context
from dialer.graphql.errors import BadRequest, Conflict
from dialer.graphql.ids import fetch
from dialer.graphql.leads.imports import ACTIVE, check_header
from dialer.graphql.leads.rows import HeaderError
from dialer.graphql.leads.service import get_list
from dialer.graphql.pagination import Connection, paginate
from dialer.models import ImportJob, ImportReject

COPY_BLOCK = 1 << 20


async def _keep(upload: Any, context: Context) -> tuple[str, str]:
    """Copy the upload into the uploads folder block by block (bounded memory)."""
    context.uploads.mkdir(parents=True, exist_ok=True)
    path = context.uploads / f"{uuid.uuid4().hex}.csv"
    with open(path, "wb") as out:
        while block := await upload.read(COPY_BLOCK):
            out.write(block)
    return str(path), (getattr(upload, "filename", None) or "upload.csv")[:255]


async def start(list_id: str, upload: Upload, context: Context, audit: AuditScope) -> ImportJob:
    owner = await get_list(list_id)
    if not hasattr(upload, "read"):
        raise BadRequest.fields({"file": "must be a file part"})
    path, filename = await _keep(upload, context)
    try:
        check_header(path)
    except HeaderError as bad:
        os.unlink(path)
        raise BadRequest.fields({"file": str(bad)}) from None
    job = await ImportJob.create(
        list_id=owner.id,
        filename=filename,
        path=path,
        status="queued",
        bytes_total=os.path.getsize(path),
        created_by=context.actor.subject,
    )
    audit.target("list", owner.public_id, importJob=job.public_id, filename=filename, bytes=job.bytes_total)
    context.after_commit.append(_starter(context, job.id))
    return job


def _starter(context: Context, job_id: int) -> Any:
    async def begin() -> None:
        context.imports.start(job_id)

    return begin


async def get(public_id: str) -> ImportJob:
    return await fetch(ImportJob, "imp", public_id, "import")


async def cancel(public_id: str, context: Context, audit: AuditScope) -> ImportJob:
    """Queued or running: roll back. The worker does it between chunks; a queued job has nothing yet."""
    job = await get(public_id)
    moved = job.status in ACTIVE and await ImportJob.filter(id=job.id, status__in=list(ACTIVE)).update(
        status="cancelling"
    )
    if not moved:
        raise Conflict(
            f"import {public_id} is {job.status}; only a queued or running one can be cancelled", {"status": job.status}
        )
    audit.target("import", public_id, **{"from": job.status, "to": "cancelling"})
    context.after_commit.append(_starter(context, job.id))  # no-op if its worker is alive; resumes it if not
    job.status = "cancelling"
    return job


async def rejects(public_id: str, first: int | None, after: str | None, convert: Any) -> Connection:
    job = await get(public_id)
    return await paginate(ImportReject.filter(job_id=job.id), first, after, convert)
