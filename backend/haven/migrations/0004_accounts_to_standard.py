from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('haven', '0003_audit_head')]

    initial = False

    operations = [
        ops.CreateModel(
            name='FailedAttempt',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key', fields.CharField(max_length=100)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'failed_attempt', 'app': 'haven', 'indexes': [Index(fields=['key', 'at'])], 'pk_attr': 'id', 'table_description': 'One failed sign-in or authenticator code, for throttling. The key names what is'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PasswordToken',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('school', fields.ForeignKeyField('haven.School', source_field='school_id', null=True, db_constraint=True, to_field='id', related_name='password_tokens', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('haven.User', source_field='user_id', db_constraint=True, to_field='id', related_name='password_tokens', on_delete=OnDelete.CASCADE)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('purpose', fields.CharField(max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'password_token', 'app': 'haven', 'pk_attr': 'id', 'table_description': "A single-use link to set a password: a reset, or a new member of staff's invitation."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RecoveryCode',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('haven.User', source_field='user_id', db_constraint=True, to_field='id', related_name='recovery_codes', on_delete=OnDelete.CASCADE)),
                ('code_hash', fields.CharField(max_length=64)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'recovery_code', 'app': 'haven', 'pk_attr': 'id', 'table_description': 'A single-use code that stands in for the authenticator. Only its hash is kept.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Session',
            name='locked_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='User',
            name='totp_confirmed_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='User',
            name='totp_failures',
            # db_default: the column is added to a table that may already hold staff.
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='User',
            name='totp_last_step',
            field=fields.BigIntField(null=True),
        ),
        ops.AddField(
            model_name='User',
            name='totp_pending_secret',
            field=fields.CharField(null=True, max_length=255),
        ),
        ops.AddField(
            model_name='User',
            name='totp_secret',
            field=fields.CharField(null=True, max_length=255),
        ),
    ]
