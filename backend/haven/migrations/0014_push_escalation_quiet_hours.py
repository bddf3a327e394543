from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

async def child_protection_is_urgent(_apps, schema_editor) -> None:
    """Schools made before this migration get what new ones are seeded with: the seeded
    Child protection category and its children are urgent and escalate after 15 minutes."""
    await schema_editor.client.execute_query(
        "UPDATE category SET urgent = TRUE, escalate_after_minutes = 15 "
        "WHERE (parent_id IS NULL AND name = 'Child protection') OR parent_id IN "
        "(SELECT id FROM category WHERE parent_id IS NULL AND name = 'Child protection')")


async def nothing(_apps, _schema_editor) -> None:
    return None


class Migration(migrations.Migration):
    dependencies = [('haven', '0013_roll_version')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Escalation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('school', fields.ForeignKeyField('haven.School', source_field='school_id', db_constraint=True, to_field='id', related_name='escalations', on_delete=OnDelete.RESTRICT)),
                ('incident', fields.OneToOneField('haven.Incident', source_field='incident_id', db_constraint=True, to_field='id', related_name='escalation', on_delete=OnDelete.RESTRICT)),
                ('due_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('checked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('escalated_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'escalation', 'app': 'haven', 'indexes': [Index(fields=['checked_at', 'due_at'])], 'pk_attr': 'id', 'table_description': 'An incident in a category that escalates: when it is due, and what came of it. The'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PushSubscription',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('school', fields.ForeignKeyField('haven.School', source_field='school_id', db_constraint=True, to_field='id', related_name='push_subscriptions', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('haven.User', source_field='user_id', db_constraint=True, to_field='id', related_name='push_subscriptions', on_delete=OnDelete.CASCADE)),
                ('session', fields.ForeignKeyField('haven.Session', source_field='session_id', null=True, db_constraint=True, to_field='id', related_name='push_subscriptions', on_delete=OnDelete.SET_NULL)),
                ('endpoint', fields.CharField(unique=True, max_length=1000)),
                ('p256dh', fields.CharField(max_length=100)),
                ('auth', fields.CharField(max_length=40)),
                ('label', fields.CharField(default='', max_length=100)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'push_subscription', 'app': 'haven', 'pk_attr': 'id', 'table_description': "A browser or installed app that agreed to show Haven's alerts: where its push"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ReminderRun',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('school', fields.ForeignKeyField('haven.School', source_field='school_id', db_constraint=True, to_field='id', related_name='reminder_runs', on_delete=OnDelete.CASCADE)),
                ('day', fields.DateField()),
                ('reminded', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'reminder_run', 'app': 'haven', 'unique_together': (('school', 'day'),), 'pk_attr': 'id', 'table_description': 'The end-of-day reminder of one school on one day: written once, by whichever'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Category',
            name='escalate_after_minutes',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='Category',
            name='urgent',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='User',
            name='quiet_from',
            field=fields.CharField(null=True, max_length=5),
        ),
        ops.AddField(
            model_name='User',
            name='quiet_until',
            field=fields.CharField(null=True, max_length=5),
        ),
        ops.RunPython(child_protection_is_urgent, nothing),
    ]
