"""`kill -USR1` makes Haven log every thread's and every asyncio task's stack."""

import asyncio
import logging
import os
import signal

from haven.diagnostics import install_state_dump, remove_state_dump, state_dump


async def test_the_dump_names_each_thread_and_task():
    async def waiting_for_something():
        await asyncio.sleep(60)

    task = asyncio.create_task(waiting_for_something(), name="stuck-task")
    await asyncio.sleep(0)
    try:
        dump = state_dump()
    finally:
        task.cancel()
    assert "--- thread MainThread" in dump
    assert "task stuck-task" in dump
    assert "waiting_for_something" in dump


async def test_sigusr1_writes_the_dump_to_the_log(caplog):
    caplog.set_level(logging.WARNING, logger="haven.diagnostics")
    assert install_state_dump()
    try:
        os.kill(os.getpid(), signal.SIGUSR1)
        for _ in range(50):
            await asyncio.sleep(0.01)
            if caplog.records:
                break
    finally:
        remove_state_dump()
    assert "asyncio task(s)" in caplog.text
