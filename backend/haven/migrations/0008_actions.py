from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

from haven.db import make_append_only

class Migration(migrations.Migration):
    dependencies = [('haven', '0007_alerts')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Action',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('school', fields.ForeignKeyField('haven.School', source_field='school_id', db_constraint=True, to_field='id', related_name='actions', on_delete=OnDelete.RESTRICT)),
                ('incident', fields.ForeignKeyField('haven.Incident', source_field='incident_id', db_constraint=True, to_field='id', related_name='actions', on_delete=OnDelete.RESTRICT)),
                ('author', fields.ForeignKeyField('haven.User', source_field='author_id', db_constraint=True, to_field='id', related_name='actions', on_delete=OnDelete.RESTRICT)),
                ('kind', fields.CharField(default='note', max_length=16)),
                ('text', fields.TextField(unique=False)),
                ('agency_ids', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('recorded_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'incident_action', 'app': 'haven', 'pk_attr': 'id', 'table_description': 'A follow-up under an incident: what was done, a referral, a correction. Like the'},
            bases=['Model'],
        ),
        ops.RunPython(*make_append_only('incident_action')),
    ]
