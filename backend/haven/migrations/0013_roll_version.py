from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

# school.roll_version moves on with every change to a pupil of the school, whoever makes
# it (an import, a photo, a fix by hand in SQL): workers keep the roll in memory for the
# typeahead and reload it when the version they see differs (haven/pupils/roll.py).
SQLITE = [
    "CREATE TRIGGER pupil_roll_inserted AFTER INSERT ON pupil BEGIN "
    "UPDATE school SET roll_version = roll_version + 1 WHERE id = NEW.school_id; END",
    "CREATE TRIGGER pupil_roll_updated AFTER UPDATE ON pupil BEGIN "
    "UPDATE school SET roll_version = roll_version + 1 "
    "WHERE id IN (OLD.school_id, NEW.school_id); END",
    "CREATE TRIGGER pupil_roll_deleted AFTER DELETE ON pupil BEGIN "
    "UPDATE school SET roll_version = roll_version + 1 WHERE id = OLD.school_id; END",
]
POSTGRES = [
    "CREATE FUNCTION haven_pupil_roll_changed() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN "
    "IF TG_OP <> 'DELETE' THEN "
    "UPDATE school SET roll_version = roll_version + 1 WHERE id = NEW.school_id; END IF; "
    "IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.school_id <> NEW.school_id) THEN "
    "UPDATE school SET roll_version = roll_version + 1 WHERE id = OLD.school_id; END IF; "
    "RETURN NULL; END $$",
    "CREATE TRIGGER pupil_roll_changed AFTER INSERT OR UPDATE OR DELETE ON pupil "
    "FOR EACH ROW EXECUTE FUNCTION haven_pupil_roll_changed()",
]
DROP = {
    "sqlite": ["DROP TRIGGER pupil_roll_inserted", "DROP TRIGGER pupil_roll_updated",
               "DROP TRIGGER pupil_roll_deleted"],
    "postgres": ["DROP TRIGGER pupil_roll_changed ON pupil",
                 "DROP FUNCTION haven_pupil_roll_changed()"],
}


async def forwards(_apps, schema_editor) -> None:
    dialect = schema_editor.client.capabilities.dialect
    for statement in SQLITE if dialect == "sqlite" else POSTGRES:
        await schema_editor.client.execute_query(statement)


async def backwards(_apps, schema_editor) -> None:
    for statement in DROP[schema_editor.client.capabilities.dialect]:
        await schema_editor.client.execute_query(statement)


class Migration(migrations.Migration):
    dependencies = [('haven', '0012_more_indexes')]

    initial = False

    operations = [
        ops.AddField(
            model_name='School',
            name='roll_version',
            field=fields.BigIntField(default=0, db_default=0),
        ),
        ops.RunPython(forwards, backwards),
    ]
