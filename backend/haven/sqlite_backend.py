"""Tortoise's SQLite client, with write transactions that take the write lock at BEGIN.

Tortoise begins transactions with a plain (deferred) BEGIN. When two processes share the
file (the server and a `haven user add`, say), a deferred transaction that read first and
then writes fails at once with "database is locked", because SQLite cannot upgrade a read
snapshot that another writer has moved past. BEGIN IMMEDIATE takes the lock up front and
waits its turn (up to the busy timeout) instead, so nothing is refused.
"""

from __future__ import annotations

import sqlite3

from tortoise.backends.sqlite.client import (
    SqliteClient,
    SqliteTransactionContext,
    SqliteTransactionWrapper,
)
from tortoise.exceptions import TransactionManagementError

BUSY_TIMEOUT_MS = 10_000


class ImmediateTransactionWrapper(SqliteTransactionWrapper):
    async def begin(self) -> None:
        try:
            await self._connection.commit()
            await self._connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            raise TransactionManagementError(error) from error


class HavenSqliteClient(SqliteClient):
    def __init__(self, file_path: str, **kwargs) -> None:
        kwargs.setdefault("busy_timeout", BUSY_TIMEOUT_MS)
        super().__init__(file_path, **kwargs)

    def _in_transaction(self):
        return SqliteTransactionContext(ImmediateTransactionWrapper(self), self._lock)


client_class = HavenSqliteClient
