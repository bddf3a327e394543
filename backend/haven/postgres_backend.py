"""Tortoise's asyncpg client, with transactions that give their connection back to the
pool when they are cancelled while beginning.

Tortoise's pooled transaction takes a connection from the pool and then awaits BEGIN; if
the task is cancelled there (Quart cancels a request when its client goes away) or BEGIN
fails, __aexit__ never runs and the connection is never released. Each time, the pool has
one connection fewer, until every transaction waits for ever. SafePooledTransaction gives
it back (the pool rolls back whatever it finds open).
"""

from __future__ import annotations

from tortoise.backends.asyncpg.client import AsyncpgDBClient, TransactionWrapper
from tortoise.backends.base.client import TransactionContextPooled
from tortoise.connection import get_connections


class SafePooledTransaction(TransactionContextPooled):
    async def __aenter__(self):
        await self.ensure_connection()
        pool = self.client._parent._pool
        self.client._connection = await pool.acquire()
        try:
            self.token = get_connections().set(self.connection_name, self.client)
            try:
                await self.client.begin()
            except BaseException:
                get_connections().reset(self.token)
                raise
        except BaseException:
            await pool.release(self.client._connection)
            raise
        return self.client


class HavenAsyncpgClient(AsyncpgDBClient):
    def _in_transaction(self):
        return SafePooledTransaction(TransactionWrapper(self), self._pool_init_lock)


client_class = HavenAsyncpgClient
