"""Write the next migration for both dialects: `python scripts/make_migration.py NAME`.

For each dialect it starts from an empty database, applies the existing migrations, and lets aerich
diff the models against them. Needs the PostgreSQL of DIALER_TEST_PG_URL (default 127.0.0.1:5432).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import uuid

import asyncpg
from aerich import Command

from dialer.app.database import migrations_location, tortoise_config

PG = os.environ.get("DIALER_TEST_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")


async def write_for(url: str, name: str) -> None:
    location = migrations_location(url)
    async with Command(tortoise_config(url), app="models", location=location) as command:
        existing = os.path.isdir(os.path.join(location, "models")) and os.listdir(os.path.join(location, "models"))
        if not existing:
            await command.init_db(safe=True)
            print(f"{location}: initial migration written")
            return
        await command.init()
        await command.upgrade(run_in_transaction=True)
        await command.init()  # again: aerich reads the last applied state only at init
        written = await command.migrate(name, no_input=True)
        print(f"{location}: {written or 'no changes'}")


async def sqlite(name: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        await write_for(f"sqlite://{tmp}/make_migration.sqlite3", name)


async def postgres(name: str) -> None:
    db = f"dialer_migration_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(PG)
    await admin.execute(f'CREATE DATABASE "{db}"')
    try:
        await write_for(PG.rsplit("/", 1)[0] + "/" + db, name)
    finally:
        await admin.execute(f'DROP DATABASE "{db}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    if len(sys.argv) == 3:  # one dialect per process: Tortoise keeps global state and per-dialect SQL caches
        asyncio.run({"sqlite": sqlite, "postgres": postgres}[sys.argv[2]](sys.argv[1]))
    elif len(sys.argv) == 2:
        for dialect in ("sqlite", "postgres"):
            subprocess.run([sys.executable, __file__, sys.argv[1], dialect], check=True)
    else:
        sys.exit("usage: python scripts/make_migration.py NAME")
