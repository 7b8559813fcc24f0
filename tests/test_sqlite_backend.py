"""SQLite transactions (dialer.app.sqlite_backend): one waits for another process's write instead of
failing with "database is locked", and one that cannot begin gives the connection back."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from tortoise import Tortoise
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import TransactionManagementError
from tortoise.transactions import in_transaction

from dialer.app.database import tortoise_config


@asynccontextmanager
async def ledger(url: str) -> AsyncIterator[BaseDBAsyncClient]:
    """The ORM on `url`, with one table and no model."""
    config = tortoise_config(url)
    config["apps"] = {"models": {"models": ["aerich.models"], "default_connection": "default"}}
    await Tortoise.init(config=config)
    try:
        connection = Tortoise.get_connection("default")
        await connection.execute_script("CREATE TABLE ledger (id INTEGER PRIMARY KEY, note TEXT)")
        yield connection
    finally:
        await Tortoise.close_connections()


def _write_from_another_connection(path: str) -> None:
    other = sqlite3.connect(path, timeout=10, isolation_level=None)
    try:
        other.execute("INSERT INTO ledger (note) VALUES ('other process')")
    finally:
        other.close()


def test_a_transaction_that_reads_then_writes_survives_a_concurrent_writer(tmp_path):
    path = str(tmp_path / "locks.sqlite3")

    async def scenario() -> list[str]:
        async with ledger(f"sqlite://{path}") as connection:
            async with in_transaction() as transaction:
                await transaction.execute_query("SELECT COUNT(*) FROM ledger")
                # The other process writes while this transaction holds its snapshot. Under a deferred
                # BEGIN its commit lands first and this transaction's write then fails at once.
                writer = asyncio.create_task(asyncio.to_thread(_write_from_another_connection, path))
                await asyncio.sleep(0.3)
                await transaction.execute_query("INSERT INTO ledger (note) VALUES ('this process')")
            await writer
            _, rows = await connection.execute_query("SELECT note FROM ledger ORDER BY id")
            return [row["note"] for row in rows]

    assert asyncio.run(scenario()) == ["this process", "other process"]


def test_a_transaction_that_cannot_begin_gives_the_connection_back(tmp_path):
    path = str(tmp_path / "busy.sqlite3")

    async def scenario() -> int:
        async with ledger(f"sqlite://{path}?busy_timeout=100") as connection:
            holder = sqlite3.connect(path, isolation_level=None)
            holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock past busy_timeout
            try:
                with pytest.raises(TransactionManagementError):
                    async with in_transaction():
                        pass
            finally:
                holder.rollback()
                holder.close()
            # Without giving the lock back this would wait forever.
            _, rows = await asyncio.wait_for(connection.execute_query("SELECT COUNT(*) AS n FROM ledger"), 5)
            return rows[0]["n"]

    assert asyncio.run(scenario()) == 0
