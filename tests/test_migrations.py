"""The database is built by the checked-in migrations, and they match the models."""

from tortoise import Tortoise, connections
from tortoise.migrations.autodetector import MigrationAutodetector

from haven.db import dialect, pending_migrations, tortoise_config


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
