from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('haven', '0002_audit_append_only')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AuditHead',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('last_id', fields.BigIntField()),
                ('last_hash', fields.CharField(max_length=64)),
                ('seal', fields.CharField(max_length=64)),
            ],
            options={'table': 'audit_head', 'app': 'haven', 'pk_attr': 'id', 'table_description': 'The newest row of the trail, sealed with an HMAC under a key kept in the data folder'},
            bases=['Model'],
        ),
    ]
