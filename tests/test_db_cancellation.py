"""A request cancelled while its transaction begins (Quart cancels a request whose client
went away, at any await) must not keep the database from the requests after it: on
SQLite it once kept the one connection's lock, and every later sign-in hung; on
PostgreSQL it kept a connection from the pool each time."""

import asyncio

import pytest
from tortoise.backends.asyncpg.client import TransactionWrapper
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.transactions import in_transaction

from haven.audit import service as audit
from haven.db import close_database, open_database
from haven.sqlite_backend import ImmediateTransactionWrapper


@pytest.fixture
async def database(database_url):
    EXECUTOR_CACHE.clear()  # SQL cached for the other database's dialect
    await open_database(database_url)
    audit.use_seal_key(b"k" * 32)
    yield
    await close_database()


async def test_a_transaction_cancelled_while_beginning_gives_the_database_back(
    database, monkeypatch
):
    beginning = asyncio.Event()

    async def slow_begin(self):
        beginning.set()
        await asyncio.sleep(30)  # the request is cancelled in here

    async def request_that_goes_away():
        async with in_transaction():
            pass

    with monkeypatch.context() as patch:
        for wrapper in (ImmediateTransactionWrapper, TransactionWrapper):
            patch.setattr(wrapper, "begin", slow_begin)
        # More than the pool holds (asyncpg's default is 10), so a leak would show.
        for _ in range(12):
            beginning.clear()
            task = asyncio.create_task(request_that_goes_away())
            await beginning.wait()
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def next_request():
        async with in_transaction():
            await audit.record("signed_in", detail={"after": "cancelled"})

    await asyncio.wait_for(next_request(), timeout=5)
