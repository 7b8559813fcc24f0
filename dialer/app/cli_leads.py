"""`dialer leads import LIST_ID FILE.csv`: the same import job as the API, run here with a progress bar."""

from __future__ import annotations

import os

import click
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn
from rich.table import Table

from dialer.graphql.errors import NotFound
from dialer.graphql.leads import imports
from dialer.graphql.leads.rows import HeaderError
from dialer.graphql.leads.service import get_list
from dialer.graphql.phones import PhoneParser
from dialer.models import ImportJob


@click.group()
def leads() -> None:
    """Lead lists."""


@leads.command("import")
@click.argument("list_id")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, readable=True))
def import_command(list_id: str, path: str) -> None:
    """Import a CSV into a list; rejected rows are listed by GET /api/v1/imports/{id}/rejects."""
    from dialer.app.cli import _settings, _with_database

    settings = _settings()
    console = Console(stderr=True)

    async def work() -> ImportJob:
        try:
            owner = await get_list(list_id)
            imports.check_header(path)
        except (NotFound, HeaderError) as refused:
            raise click.ClickException(str(refused)) from None
        job = await ImportJob.create(
            list_id=owner.id,
            filename=os.path.basename(path)[:255],
            path=os.path.abspath(path),
            status="queued",
            bytes_total=os.path.getsize(path),
            created_by=f"cli:{os.environ.get('USER', 'unknown')}",
        )
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=console) as bar:
            task = bar.add_task(f"{job.public_id} {job.filename}", total=job.bytes_total or 1)

            async def show(state: ImportJob) -> None:
                bar.update(
                    task,
                    completed=state.bytes_done,
                    description=f"{state.public_id} rows {state.rows_done:,} ok {state.accepted:,}",
                )

            return await imports.run(job, PhoneParser(settings.default_region), show, owned_file=False)

    job = _with_database(settings, work)
    table = Table(title=f"{job.public_id} into {list_id}: {job.status}")
    table.add_column("")
    table.add_column("rows", justify="right")
    for label, value in (
        ("read", job.rows_done),
        ("accepted", job.accepted),
        ("rejected", job.rejected),
        ("of which duplicates", job.duplicates),
        ("DNC hits (stored, not dialable)", job.dnc_hits),
    ):
        table.add_row(label, f"{value:,}")
    for reason, count in sorted(job.rejected_by_reason.items()):
        table.add_row(f"  rejected: {reason}", f"{count:,}")
    Console().print(table)
    if job.status != "done":
        raise click.ClickException(job.error or f"import ended {job.status}")
