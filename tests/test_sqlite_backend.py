"""Several processes writing to one SQLite file (the server and a `haven` command, say)
wait their turn rather than fail with "database is locked"."""

import subprocess
import sys

from haven.audit import service as audit
from haven.db import close_database, migrate, open_database
from tests.conftest import run_in_thread

WRITER = """
import asyncio, sys
from haven import db
from haven.audit import service as audit

async def main(url):
    audit.use_seal_key(b"k" * 32)
    await db.open_database(url)
    try:
        for n in range(100):
            await audit.record("signed_in", detail={"n": n})
    finally:
        await db.close_database()

asyncio.run(main(sys.argv[1]))
"""


def test_three_processes_append_to_the_audit_trail_at_once(tmp_path):
    url = f"sqlite://{tmp_path / 'haven.sqlite3'}"
    run_in_thread(migrate(url))
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, url], stderr=subprocess.PIPE,
                                text=True) for _ in range(3)]
    failures = [w.stderr.read() for w in writers if w.wait(timeout=120) != 0]
    assert failures == []

    async def check():
        audit.use_seal_key(b"k" * 32)
        await open_database(url)
        try:
            return await audit.verify_chain()
        finally:
            await close_database()

    report = run_in_thread(check())
    assert report.ok and report.rows == 300

