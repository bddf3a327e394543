"""What the ORM costs on the typeahead's two queries, against the same SQL sent directly.

    .venv/bin/python bench/orm_overhead.py [--name haven_bench]

Runs in one process against the trust data set of bench/make_trust.py (PostgreSQL; its
sessions table needs a row, which any bench/http_load.py run leaves). Prints wall time and
this process's CPU per call: the session lookup with its user and school, and the
typeahead's search ("ja", one school's pupils), each through Tortoise and as raw SQL.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import time
from pathlib import Path

from tortoise import connections

from haven.accounts.models import Session
from haven.db import close_database, open_database
from haven.keys import load_service_keys
from haven.pupils import service as pupils
from haven.schools.models import School

DATA = Path(__file__).parent / ".data"

SESSION_SQL = ('SELECT * FROM "session" s JOIN "user" u ON u.id = s.user_id '
               'JOIN school c ON c.id = s.school_id WHERE s.token_hash = $1')
SEARCH_SQL = ("SELECT id, first_name, preferred_name, last_name, year_group, form, photo "
              "FROM pupil WHERE school_id = $1 AND (left_on IS NULL OR left_on > $2) AND "
              "(first_name ILIKE $3 OR preferred_name ILIKE $3 OR last_name ILIKE $3 "
              "OR form ILIKE $3) LIMIT 500")


async def _time(label: str, call, times: int) -> None:
    for _ in range(100):
        await call()
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(times):
        await call()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{label:<34} wall {1000 * wall / times:6.3f} ms   CPU {1000 * cpu / times:6.3f} ms")


async def main(name: str) -> None:
    config = json.loads((DATA / name / "bench.json").read_text())
    load_service_keys(DATA / name)
    await open_database(config["database_url"])
    try:
        connection = connections.get("default")
        school = await School.get(id=config["bench_school"]["id"])
        token_hash = await Session.first().values_list("token_hash", flat=True)
        if token_hash is None:
            raise SystemExit("no session yet: run bench/http_load.py once first")
        today = datetime.date.today()
        await _time("session lookup, Tortoise", lambda: Session.get_or_none(
            token_hash=token_hash).select_related("user", "school"), 2000)
        await _time("session lookup, raw SQL", lambda: connection.execute_query_dict(
            SESSION_SQL, [token_hash]), 2000)
        await _time("typeahead 'ja', Haven's find()", lambda: pupils.find(school, "ja"), 1000)
        await _time("typeahead 'ja', raw SQL", lambda: connection.execute_query(
            SEARCH_SQL, [school.id, today, "%ja%"]), 1000)
    finally:
        await close_database()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", default="haven_bench",
                        help="the data set's folder in bench/.data")
    asyncio.run(main(parser.parse_args().name))
