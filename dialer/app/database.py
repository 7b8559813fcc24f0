"""The ORM configuration and the migrations of both dialects.

aerich writes raw SQL of the dialect it ran on, so each dialect keeps its own migration set under
`dialer/models/migrations/<dialect>/models/`, and `dialer migrate` applies the one that matches the URL.
"""

from __future__ import annotations

from pathlib import Path

from aerich import Command
from tortoise import Tortoise
from tortoise.backends.base.config_generator import expand_db_url

from dialer.models import MODEL_MODULES

MIGRATIONS = Path(__file__).resolve().parent.parent / "models" / "migrations"


# How long a SQLite writer waits for another's lock before failing (sqlite3's default is 5 s). Several
# processes on one file (a CLI next to the server, tests) can hold it longer on a busy machine.
SQLITE_BUSY_TIMEOUT_MS = 30_000


def tortoise_config(database_url: str) -> dict:
    connection: str | dict = database_url
    if dialect_of(database_url) == "sqlite":
        if "busy_timeout=" not in database_url:
            database_url += ("&" if "?" in database_url else "?") + f"busy_timeout={SQLITE_BUSY_TIMEOUT_MS}"
        connection = {**expand_db_url(database_url), "engine": "dialer.app.sqlite_backend"}
    return {
        "connections": {"default": connection},
        "apps": {"models": {"models": [*MODEL_MODULES, "aerich.models"], "default_connection": "default"}},
        "use_tz": True,
        "timezone": "UTC",
    }


def dialect_of(database_url: str) -> str:
    return "sqlite" if database_url.startswith("sqlite://") else "postgres"


def migrations_location(database_url: str) -> str:
    return str(MIGRATIONS / dialect_of(database_url))


async def migrate(database_url: str) -> list[str]:
    """Apply pending migrations; returns the names of those applied. Safe to run at every start."""
    async with Command(
        tortoise_config(database_url), app="models", location=migrations_location(database_url)
    ) as command:
        await command.init()
        return await command.upgrade(run_in_transaction=True)


async def open_orm(database_url: str) -> None:
    """The ORM for a process that is not the web app (the CLI, benchmarks)."""
    await Tortoise.init(config=tortoise_config(database_url), _enable_global_fallback=True)


async def close() -> None:
    await Tortoise.close_connections()
