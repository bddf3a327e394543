"""The database is built by the checked-in migrations, and they match the models."""

import re
import sqlite3
import uuid

import asyncpg
from tortoise import Tortoise, connections
from tortoise.context import TortoiseContext
from tortoise.migrations.api import migrate as run_migrations
from tortoise.migrations.autodetector import MigrationAutodetector

from haven.db import dialect, pending_migrations, tortoise_config
from tests.conftest import POSTGRES_URL, run_in_thread


async def test_the_migrations_describe_the_models_exactly(app, database_url):
    config = tortoise_config(database_url)
    detector = MigrationAutodetector(Tortoise.apps, config["apps"])
    changes = await detector.changes()
    assert [writer.name for writer in changes] == [], (
        "the models changed without a migration: run scripts/makemigrations.py NAME"
    )


async def _columns(table: str) -> set[str]:
    connection = connections.get("default")
    if dialect() == "sqlite":
        rows = await connection.execute_query_dict(f'PRAGMA table_info("{table}")')
        return {row["name"] for row in rows}
    rows = await connection.execute_query_dict(
        "SELECT column_name FROM information_schema.columns WHERE table_name = $1", [table]
    )
    return {row["column_name"] for row in rows}


async def test_the_migrated_tables_have_exactly_the_model_columns(app):
    for model in Tortoise.apps["haven"].values():
        expected = set(model._meta.fields_db_projection.values())
        assert await _columns(model._meta.db_table) == expected, model.__name__


async def test_nothing_is_pending_after_migrating(app, database_url):
    assert await pending_migrations(database_url) == []


# --- the migrated schema equals the one Tortoise would generate from the models ----------

BOOKKEEPING = {"tortoise_migrations"}


def _sqlite_schema(path: str) -> dict:
    database = sqlite3.connect(path)
    schema = {}
    tables = [row[0] for row in database.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    for table in sorted(set(tables) - BOOKKEEPING):
        columns = {(r[1], r[2].upper(), r[3], r[5])
                   for r in database.execute(f'PRAGMA table_info("{table}")')}
        indexes = set()
        for _, name, unique, *_ in database.execute(f'PRAGMA index_list("{table}")'):
            cols = tuple(r[2] for r in database.execute(f'PRAGMA index_info("{name}")'))
            indexes.add((bool(unique), cols))
        keys = {(r[3], r[2], r[4], r[6])
                for r in database.execute(f'PRAGMA foreign_key_list("{table}")')}
        schema[table] = {"columns": columns, "indexes": indexes, "foreign_keys": keys}
    database.close()
    return schema


async def _postgres_schema(url: str) -> dict:
    connection = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        schema = {}
        columns = await connection.fetch(
            "SELECT table_name, column_name, data_type, is_nullable, character_maximum_length "
            "FROM information_schema.columns WHERE table_schema = 'public'")
        for row in columns:
            if row["table_name"] in BOOKKEEPING:
                continue
            entry = schema.setdefault(row["table_name"], {"columns": set(), "indexes": set(),
                                                          "constraints": set()})
            entry["columns"].add(tuple(row.values())[1:])
        for row in await connection.fetch(
                "SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = 'public'"):
            if row["tablename"] in schema:
                # Index names differ between the two ways of building; what they cover must not.
                schema[row["tablename"]]["indexes"].add(
                    re.sub(r"INDEX \S+ ON", "INDEX ON", row["indexdef"]))
        for row in await connection.fetch(
                "SELECT conrelid::regclass::text AS t, pg_get_constraintdef(oid) AS d "
                "FROM pg_constraint WHERE connamespace = 'public'::regnamespace"):
            if row["t"].strip('"') in schema:
                schema[row["t"].strip('"')]["constraints"].add(row["d"])
        return schema
    finally:
        await connection.close()


async def _generate(url: str) -> None:
    async with TortoiseContext() as context:
        config = tortoise_config(url)
        del config["apps"]["haven"]["migrations"]
        await context.init(config=config)
        await context.generate_schemas()


async def test_the_migrated_schema_is_what_the_models_describe(database_url, tmp_path):
    if database_url.startswith("sqlite://"):
        generated = tmp_path / "generated.sqlite3"
        run_in_thread(_generate(f"sqlite://{generated}"))
        assert _sqlite_schema(database_url.removeprefix("sqlite://")) == _sqlite_schema(
            str(generated))
        return
    name = f"haven_generated_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(POSTGRES_URL.replace("postgres://", "postgresql://", 1))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        generated_url = POSTGRES_URL.rsplit("/", 1)[0] + "/" + name
        run_in_thread(_generate(generated_url))
        assert await _postgres_schema(database_url) == await _postgres_schema(generated_url)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def test_a_school_made_by_the_first_release_upgrades_to_the_newest(database_url,
                                                                       tmp_path):
    """Every migration runs on a database that already holds a school, staff and pupils,
    as an upgrade does: a column added NOT NULL without a database default would fail."""
    if database_url.startswith("sqlite://"):
        run_in_thread(_upgrade_from_the_first_release(f"sqlite://{tmp_path / 'old.sqlite3'}"))
        return
    name = f"haven_old_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(POSTGRES_URL.replace("postgres://", "postgresql://", 1))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        run_in_thread(_upgrade_from_the_first_release(
            POSTGRES_URL.rsplit("/", 1)[0] + "/" + name))
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def _upgrade_from_the_first_release(url: str) -> None:
    from datetime import date, datetime, timezone

    from haven.accounts.models import User
    from haven.db import migrate
    from haven.schools.models import School

    config = tortoise_config(url)
    await run_migrations(config=config, target="haven.0001_initial")
    async with TortoiseContext() as context:
        await context.init(config=config)
        connection = connections.get("default")
        marks = [f"${n}" for n in range(1, 6)] if dialect() == "postgres" else ["?"] * 5
        when = datetime(2025, 9, 1, 8, tzinfo=timezone.utc)
        if dialect() == "sqlite":
            when = when.isoformat()
        await connection.execute_query(
            "INSERT INTO school (name, slug, settings, created_at) VALUES "
            f"({marks[0]}, {marks[1]}, {marks[2]}, {marks[3]})",
            ["Oakfield", "oakfield", "{}", when])
        await connection.execute_query(
            'INSERT INTO "user" (email, name, is_active, must_change_password, created_at) '
            f"VALUES ({', '.join(marks)})", ["alice@oakfield.test", "Alice", True, False, when])
        await connection.execute_query(
            "INSERT INTO pupil (school_id, upn, first_name, preferred_name, last_name, "
            "date_of_birth, year_group, form, gender, created_at) VALUES (1, 'U1', 'Amelia', "
            f"'', 'Jones', {marks[0]}, 'Year 7', '7A', '', {marks[1]})",
            [date(2013, 1, 1) if dialect() == "postgres" else "2013-01-01", when])

    await migrate(url)

    async with TortoiseContext() as context:
        await context.init(config=config)
        assert (await User.get(email="alice@oakfield.test")).totp_failures == 0
        assert (await School.get(slug="oakfield")).roll_version == 0
