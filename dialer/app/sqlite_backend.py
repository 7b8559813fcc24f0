"""Tortoise's SQLite client, with transactions that take the write lock when they begin.

Tortoise opens a transaction with a deferred `BEGIN`: it reads under a snapshot and asks for the write
lock at its first write. When another process (a CLI import next to the server, a second replica) has
committed in between, SQLite cannot upgrade that stale snapshot and fails the write at once with
"database is locked" (SQLITE_BUSY_SNAPSHOT), without waiting out busy_timeout. `BEGIN IMMEDIATE`
takes the write lock up front, where busy_timeout applies, so the transaction waits its turn instead.
Within one process nothing changes: Tortoise already serialises transactions on its single connection.

A BEGIN that can wait can also fail (busy_timeout ran out) or be cancelled, which Tortoise's deferred
BEGIN never did: its transaction context would then keep the connection's lock and every later query
of the process would wait for it forever. Ours gives the lock back when the transaction never began.
"""

from __future__ import annotations

import sqlite3

from tortoise.backends.base.client import TransactionalDBClient, TransactionContext
from tortoise.backends.sqlite.client import SqliteClient, SqliteTransactionContext, SqliteTransactionWrapper
from tortoise.connection import get_connections
from tortoise.exceptions import TransactionManagementError


class ImmediateTransactionWrapper(SqliteTransactionWrapper):
    async def begin(self) -> None:
        try:
            await self._connection.commit()
            await self._connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise TransactionManagementError(exc) from exc


class ImmediateTransactionContext(SqliteTransactionContext):
    async def __aenter__(self) -> TransactionalDBClient:
        await self._trxlock.acquire()
        try:
            await self.ensure_connection()
            self.token = get_connections().set(self.connection_name, self.connection)
            try:
                await self.connection.begin()
            except BaseException:
                get_connections().reset(self.token)
                raise
        except BaseException:
            self._trxlock.release()
            raise
        return self.connection


class ImmediateSqliteClient(SqliteClient):
    def _in_transaction(self) -> TransactionContext:
        return ImmediateTransactionContext(ImmediateTransactionWrapper(self), self._lock)


client_class = ImmediateSqliteClient
