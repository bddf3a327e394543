from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('haven', '0008_actions')]

    initial = False

    operations = [
        ops.CreateModel(
            name='IdempotencyRecord',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('school', fields.ForeignKeyField('haven.School', source_field='school_id', db_constraint=True, to_field='id', related_name='idempotency_records', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('haven.User', source_field='user_id', db_constraint=True, to_field='id', related_name='idempotency_records', on_delete=OnDelete.CASCADE)),
                ('key', fields.CharField(max_length=100)),
                ('request_hash', fields.CharField(max_length=64)),
                ('done', fields.BooleanField(default=False)),
                ('resource_type', fields.CharField(max_length=16)),
                ('resource_id', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'idempotency_record', 'app': 'haven', 'unique_together': (('user', 'key'),), 'pk_attr': 'id', 'table_description': "A submission's Idempotency-Key, so that sending it again (the offline queue does)"},
            bases=['Model'],
        ),
    ]
