"""Each dialect's migration set brings an empty database to exactly the schema of the models."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from dialer.app.database import MIGRATIONS
from tests.conftest import dialer_cli, empty_database


def snapshot(url: str, mode: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "tests.schema_snapshot", url, mode],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ},
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_migrations_build_exactly_the_models_schema(tmp_path):
    with empty_database(str(tmp_path)) as migrated, empty_database(str(tmp_path)) as generated:
        from_migrations = snapshot(migrated, "migrate")
        from_models = snapshot(generated, "generate")
    assert from_migrations == from_models
    assert from_migrations  # not two empty schemas


def test_both_dialects_have_the_same_migration_steps():
    names = {
        dialect: [
            p.name.split("_", 1)[0] + "_" + p.name.split("_", 2)[2]
            for p in sorted((MIGRATIONS / dialect / "models").glob("*.py"))
        ]
        for dialect in ("sqlite", "postgres")
    }
    assert names["sqlite"] == names["postgres"] and names["sqlite"]


def test_migrating_twice_applies_nothing_the_second_time(tmp_path):
    with empty_database(str(tmp_path)) as url:
        first = dialer_cli({"DIALER_DATABASE_URL": url}, "migrate")
        second = dialer_cli({"DIALER_DATABASE_URL": url}, "migrate")
    assert first.returncode == 0 and "applied: 0_" in first.stdout, first.stderr
    assert second.stdout.strip() == "database is up to date"
