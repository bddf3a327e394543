"""How long importing a school's roll takes (issue 4: 3,000 pupils in under 10 seconds).

    .venv/bin/python bench/import_pupils.py [--pupils 3000] [--database-url URL]

Builds a CSV of made-up pupils, then times, on a fresh migrated database (SQLite in a
temporary folder unless --database-url names an empty PostgreSQL database):
a first import (all new), the same file again (all unchanged) and a file where a tenth
have changed form and a tenth have left (updates and leavers).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from pathlib import Path

from haven.audit.service import use_seal_key
from haven.db import close_database, migrate, open_database
from haven.pupils.importer import import_pupils
from haven.schools.service import add_school


def roll(count: int, *, seed: int = 1) -> list[str]:
    chance = random.Random(seed)
    rows = []
    for n in range(count):
        year = 7 + n % 7
        rows.append(f"B{n:012d},First{n},,Last{chance.randint(1, 5000)},"
                    f"{chance.randint(1, 28):02d}/{chance.randint(1, 12):02d}/{2019 - year},"
                    f"Year {year},{year}{chance.choice('ABCDEF')},F")
    return rows


def as_csv(rows: list[str]) -> bytes:
    heading = "upn,first_name,preferred_name,last_name,date_of_birth,year_group,form,gender"
    return ("\n".join([heading, *rows]) + "\n").encode()


async def run(url: str, count: int) -> None:
    await migrate(url)
    use_seal_key(b"bench" * 8)
    await open_database(url)
    try:
        school = await add_school("Bench Academy", "bench")
        rows = roll(count)
        changed = [r.replace(",F", ",M") if i % 10 == 0 else r for i, r in enumerate(rows)]
        changed = [r for i, r in enumerate(changed) if i % 10 != 5]
        for label, content in (("first import", as_csv(rows)), ("same file", as_csv(rows)),
                               ("10% changed, 10% left", as_csv(changed))):
            started = time.perf_counter()
            report = await import_pupils(school, content)
            seconds = time.perf_counter() - started
            print(f"{label:>22}: {seconds:6.2f} s  (new {report.created}, changed "
                  f"{report.updated}, unchanged {report.unchanged}, left {report.marked_left})")
    finally:
        await close_database()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pupils", type=int, default=3000)
    parser.add_argument("--database-url", help="an empty PostgreSQL database")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite://{Path(folder) / 'bench.sqlite3'}"
        print(f"{args.pupils} pupils on {url.split(':')[0]}")
        asyncio.run(run(url, args.pupils))


if __name__ == "__main__":
    main()
