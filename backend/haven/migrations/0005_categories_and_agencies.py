from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('haven', '0004_accounts_to_standard')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Agency',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('school', fields.ForeignKeyField('haven.School', source_field='school_id', db_constraint=True, to_field='id', related_name='agencies', on_delete=OnDelete.RESTRICT)),
                ('name', fields.CharField(max_length=100)),
                ('position', fields.IntField(default=0)),
                ('active', fields.BooleanField(default=True)),
            ],
            options={'table': 'agency', 'app': 'haven', 'unique_together': (('school', 'name'),), 'pk_attr': 'id', 'table_description': "An outside body a concern may be referred to (police, children's social care ...)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Category',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('school', fields.ForeignKeyField('haven.School', source_field='school_id', db_constraint=True, to_field='id', related_name='categories', on_delete=OnDelete.RESTRICT)),
                ('parent', fields.ForeignKeyField('haven.Category', source_field='parent_id', null=True, db_constraint=True, to_field='id', related_name='children', on_delete=OnDelete.RESTRICT)),
                ('name', fields.CharField(max_length=100)),
                ('guidance', fields.TextField(default='', unique=False)),
                ('alert_role', fields.CharField(null=True, max_length=16)),
                ('alert_user_ids', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('visible_to_roles', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('position', fields.IntField(default=0)),
                ('active', fields.BooleanField(default=True)),
            ],
            options={'table': 'category', 'app': 'haven', 'unique_together': (('school', 'parent', 'name'),), 'pk_attr': 'id', 'table_description': 'What a concern is about, in a two-level tree (e.g. Child protection > Neglect).'},
            bases=['Model'],
        ),
    ]
