"""A throwaway database for one benchmark run: a SQLite file in a temporary folder, or a new
PostgreSQL database (on DIALER_TEST_PG_URL's server) that is dropped afterwards."""

from __future__ import annotations

import asyncio
import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg

ADMIN = os.environ.get("DIALER_TEST_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")


async def _admin(sql: str) -> None:
    connection = await asyncpg.connect(ADMIN)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@contextmanager
def scratch_database(kind: str, label: str, options: str = "") -> Iterator[str]:
    """Yields the database URL (`options` is appended to a PostgreSQL URL, e.g. "?maxsize=20")."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix=f"dialer-{label}-") as folder:
            yield f"sqlite://{folder}/{label}.sqlite3"
        return
    name = f"dialer_{label}_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield ADMIN.rsplit("/", 1)[0] + f"/{name}{options}"
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
