"""Each dialect's migration set brings an empty database to exactly the schema of the models."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg

from dialer.app.database import MIGRATIONS
from tests.conftest import KIND, PG_ADMIN


@contextmanager
def empty_database(tmp_path: Path) -> Iterator[str]:
    if KIND == "sqlite":
        yield f"sqlite://{tmp_path}/{uuid.uuid4().hex}.sqlite3"
        return
    name = f"dialer_schema_{uuid.uuid4().hex[:10]}"

    async def admin(sql: str) -> None:
        connection = await asyncpg.connect(PG_ADMIN)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def snapshot(url: str, mode: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "tests.schema_snapshot", url, mode], capture_output=True, text=True,
                          timeout=120, env={**os.environ})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_migrations_build_exactly_the_models_schema(tmp_path):
    with empty_database(tmp_path) as migrated, empty_database(tmp_path) as generated:
        from_migrations = snapshot(migrated, "migrate")
        from_models = snapshot(generated, "generate")
    assert from_migrations == from_models
    assert from_migrations  # not two empty schemas


def test_both_dialects_have_the_same_migration_steps():
    names = {
        dialect: [p.name.split("_", 1)[0] + "_" + p.name.split("_", 2)[2] for p in sorted((MIGRATIONS / dialect / "models").glob("*.py"))]
        for dialect in ("sqlite", "postgres")
    }
    assert names["sqlite"] == names["postgres"] and names["sqlite"]


def test_migrating_twice_applies_nothing_the_second_time(tmp_path):
    with empty_database(tmp_path) as url:
        first = subprocess.run([sys.executable, "-m", "dialer.app.cli", "migrate"], capture_output=True, text=True,
                               env={**os.environ, "DIALER_DATABASE_URL": url}, timeout=120)
        second = subprocess.run([sys.executable, "-m", "dialer.app.cli", "migrate"], capture_output=True, text=True,
                                env={**os.environ, "DIALER_DATABASE_URL": url}, timeout=120)
    assert first.returncode == 0 and "applied: 0_" in first.stdout, first.stderr
    assert second.stdout.strip() == "database is up to date"
