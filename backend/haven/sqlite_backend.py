"""Tortoise's SQLite client, with write transactions that take the write lock at BEGIN,
and that cannot keep the connection's lock when they are cancelled while beginning.

Tortoise begins transactions with a plain (deferred) BEGIN. When two processes share the
file (the server and a `haven user add`, say), a deferred transaction that read first and
then writes fails at once with "database is locked", because SQLite cannot upgrade a read
snapshot that another writer has moved past. BEGIN IMMEDIATE takes the lock up front and
waits its turn (up to the busy timeout) instead, so nothing is refused.

Tortoise's SQLite transaction takes its one connection's asyncio lock and then awaits
BEGIN; if the task is cancelled there (Quart cancels a request when its client goes away)
or BEGIN fails, __aexit__ never runs and the lock is never released: every later
transaction, a sign-in included, waits for ever while reads still work. SafeTransaction
releases it.
"""

from __future__ import annotations

import sqlite3

from tortoise.backends.sqlite.client import (
    SqliteClient,
    SqliteTransactionContext,
    SqliteTransactionWrapper,
)
from tortoise.connection import get_connections
from tortoise.exceptions import TransactionManagementError

BUSY_TIMEOUT_MS = 10_000


class ImmediateTransactionWrapper(SqliteTransactionWrapper):
    async def begin(self) -> None:
        try:
            await self._connection.commit()
            await self._connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            raise TransactionManagementError(error) from error


class SafeTransaction(SqliteTransactionContext):
    async def __aenter__(self):
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
            # A BEGIN that did run is ended by the next transaction's begin(), which
            # commits whatever is open (nothing was written yet) before its own BEGIN.
            self._trxlock.release()
            raise
        return self.connection


class HavenSqliteClient(SqliteClient):
    def __init__(self, file_path: str, **kwargs) -> None:
        kwargs.setdefault("busy_timeout", BUSY_TIMEOUT_MS)
        super().__init__(file_path, **kwargs)

    def _in_transaction(self):
        return SafeTransaction(ImmediateTransactionWrapper(self), self._lock)


client_class = HavenSqliteClient
