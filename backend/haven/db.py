"""The database: Tortoise ORM configuration, start and stop, and migrations."""

from __future__ import annotations

import logging
from pathlib import Path

from tortoise import Tortoise, connections
from tortoise.models import Model
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.context import TortoiseContext
from tortoise.migrations.api import migrate as run_migrations
from tortoise.migrations.executor import MigrationExecutor

log = logging.getLogger(__name__)

MODEL_MODULES = [
    "haven.schools.models",
    "haven.accounts.models",
    "haven.pupils.models",
    "haven.incidents.models",
    "haven.alerts.models",
    "haven.audit.models",
    "haven.outbox.models",
    "haven.push.models",
]


async def _keep_session_state(_connection) -> None:
    """asyncpg's pool resets every connection it gets back (unlock all advisory locks,
    close cursors, UNLISTEN, RESET ALL): a round trip after each statement outside a
    transaction. Haven changes no session state: its advisory locks are transaction-scoped
    (pg_advisory_xact_lock), it never LISTENs or SETs. An open transaction is still rolled
    back by the pool before this is called."""


def tortoise_config(database_url: str) -> dict:
    connection: str | dict = database_url
    if database_url.startswith("sqlite://"):
        path = database_url.removeprefix("sqlite://")
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        connection = expand_db_url(database_url)
        connection["engine"] = "haven.sqlite_backend"
    elif database_url.startswith(("postgres://", "postgresql://")):
        connection = expand_db_url(database_url)
        connection["credentials"]["reset"] = _keep_session_state
        connection["engine"] = "haven.postgres_backend"
    return {
        "connections": {"default": connection},
        "apps": {
            "haven": {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": "haven.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


_context: TortoiseContext | None = None


async def open_database(database_url: str) -> None:
    """Connect for the whole process. The global fallback makes the connection visible to
    every task (requests, the dispatcher), not only the one that opened it."""
    global _context
    _context = await Tortoise.init(
        config=tortoise_config(database_url), _enable_global_fallback=True
    )


async def close_database() -> None:
    global _context
    if _context is not None:
        await _context.close_connections()
        _context = None


async def migrate(database_url: str) -> list[str]:
    """Bring the database up to the newest migration; returns the names applied."""
    applied: list[str] = []

    def progress(event: str, app_label: str, name: str) -> None:
        if event == "apply_done":
            applied.append(f"{app_label}.{name}")
            log.info("applied migration %s.%s", app_label, name)

    try:
        await run_migrations(config=tortoise_config(database_url), progress=progress)
    finally:
        await Tortoise.close_connections()
    return applied


async def pending_migrations(database_url: str) -> list[str]:
    """Names of the migrations this database has not had yet, in the order they would run."""
    config = tortoise_config(database_url)
    await Tortoise.init(config=config, init_connections=False)
    try:
        executor = MigrationExecutor(connections.get("default"), config["apps"])
        steps = await executor.plan(None)
    finally:
        await Tortoise.close_connections()
    return [f"{step.migration.app_label}.{step.migration.name}" for step in steps]


def _columns(model: type[Model]) -> tuple[str, ...]:
    return tuple(model._meta.fields_db_projection.values())


def joined_columns(*tables: tuple[str, type[Model]]) -> str:
    """The select list of a join read back with `models_from_row`: every column of each
    (alias, model) in turn."""
    return ", ".join(f'{alias}."{column}"' for alias, model in tables
                     for column in _columns(model))


def models_from_row(row, *models: type[Model]) -> list[Model]:
    """The models of one row of a `joined_columns` join, built as Tortoise builds what it
    reads itself (types converted by the fields), for hot paths whose SQL is our own."""
    values, found, start = tuple(row), [], 0
    for model in models:
        names = _columns(model)
        found.append(model._init_from_db(**dict(zip(names, values[start:start + len(names)]))))
        start += len(names)
    return found


async def ping() -> None:
    """Raises when the database cannot be reached."""
    await connections.get("default").execute_query("SELECT 1")


def dialect() -> str:
    """'sqlite' or 'postgres', for the few places that need SQL of their own."""
    return connections.get("default").capabilities.dialect


def append_only_sql(table: str, dialect_name: str) -> list[str]:
    """SQL that makes the database itself refuse UPDATE and DELETE (and on PostgreSQL,
    TRUNCATE) on a table, so records stay as written even if the application is bypassed."""
    if dialect_name == "sqlite":
        return [
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: UPDATE refused'); END",
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: DELETE refused'); END",
        ]
    return [
        "CREATE OR REPLACE FUNCTION haven_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP "
        "USING ERRCODE = 'restrict_violation'; END $$",
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION haven_refuse_change()",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION haven_refuse_change()",
    ]


def drop_append_only_sql(table: str, dialect_name: str) -> list[str]:
    if dialect_name == "sqlite":
        return [f"DROP TRIGGER {table}_no_update", f"DROP TRIGGER {table}_no_delete"]
    return [
        f"DROP TRIGGER {table}_append_only ON {table}",
        f"DROP TRIGGER {table}_no_truncate ON {table}",
    ]


def make_append_only(table: str):
    """A pair of RunPython callables for a migration: (forwards, backwards)."""

    async def forwards(_apps, schema_editor) -> None:
        for statement in append_only_sql(table, schema_editor.client.capabilities.dialect):
            await schema_editor.client.execute_query(statement)

    async def backwards(_apps, schema_editor) -> None:
        for statement in drop_append_only_sql(table, schema_editor.client.capabilities.dialect):
            await schema_editor.client.execute_query(statement)

    return forwards, backwards
