"""Print a database's schema as JSON after building it one of two ways, for test_migrations:
`python -m tests.schema_snapshot URL migrate|generate`. Its own process, so the ORM state and
SQL caches of the test process stay untouched."""

from __future__ import annotations

import asyncio
import json
import sys

from tortoise import Tortoise, connections

from dialer.app import database


async def describe(url: str) -> dict:
    connection = connections.get("default")
    if url.startswith("sqlite://"):
        tables = [
            r["name"]
            for r in await connection.execute_query_dict(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        out = {}
        for table in tables:
            columns = await connection.execute_query_dict(f'PRAGMA table_info("{table}")')
            indexes = []
            for index in await connection.execute_query_dict(f'PRAGMA index_list("{table}")'):
                cols = await connection.execute_query_dict(f'PRAGMA index_info("{index["name"]}")')
                indexes.append([index["name"], index["unique"], [c["name"] for c in cols]])
            out[table] = {"columns": columns, "indexes": sorted(indexes)}
        return out
    columns = await connection.execute_query_dict(
        "SELECT table_name, column_name, data_type, character_maximum_length, is_nullable, column_default "
        "FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position"
    )
    indexes = await connection.execute_query_dict(
        "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1, 2"
    )
    constraints = await connection.execute_query_dict(
        "SELECT table_name, constraint_name, constraint_type FROM information_schema.table_constraints "
        # PostgreSQL names NOT NULL checks by table OID; nullability is compared through the columns.
        "WHERE table_schema = 'public' AND constraint_name !~ '^[0-9]+_[0-9]+_[0-9]+_not_null$' ORDER BY 1, 2"
    )
    return {"columns": columns, "indexes": indexes, "constraints": constraints}


async def main(url: str, mode: str) -> None:
    if mode == "migrate":
        await database.migrate(url)
        await database.open_orm(url)
    else:
        await Tortoise.init(config=database.tortoise_config(url), _enable_global_fallback=True)
        await Tortoise.generate_schemas()
    try:
        print(json.dumps(await describe(url), default=str, sort_keys=True))
    finally:
        await database.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
