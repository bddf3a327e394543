from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

from haven.db import make_append_only

class Migration(migrations.Migration):
    dependencies = [('haven', '0009_idempotency')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Attachment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('school', fields.ForeignKeyField('haven.School', source_field='school_id', db_constraint=True, to_field='id', related_name='attachments', on_delete=OnDelete.RESTRICT)),
                ('incident', fields.ForeignKeyField('haven.Incident', source_field='incident_id', db_constraint=True, to_field='id', related_name='attachments', on_delete=OnDelete.RESTRICT)),
                ('action', fields.ForeignKeyField('haven.Action', source_field='action_id', null=True, db_constraint=True, to_field='id', related_name='attachments', on_delete=OnDelete.RESTRICT)),
                ('uploaded_by', fields.ForeignKeyField('haven.User', source_field='uploaded_by_id', db_constraint=True, to_field='id', related_name='attachments', on_delete=OnDelete.RESTRICT)),
                ('name', fields.CharField(description="The file's name on the uploader's device", max_length=255)),
                ('content_type', fields.CharField(description='As found from the content', max_length=100)),
                ('size', fields.IntField()),
                ('sha256', fields.CharField(description='Of the content as stored', max_length=64)),
                ('stored_as', fields.CharField(unique=True, max_length=64)),
                ('uploaded_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'attachment', 'app': 'haven', 'indexes': [Index(fields=['incident_id'])], 'pk_attr': 'id', 'table_description': 'A file attached to an incident or to one of its actions. The content is kept in the'},
            bases=['Model'],
        ),
        ops.AddIndex(
            model_name='Action',
            index=Index(fields=['incident_id']),
        ),
        ops.AddIndex(
            model_name='Alert',
            index=Index(fields=['recipient_id', 'read_at']),
        ),
        ops.AddIndex(
            model_name='Incident',
            index=Index(fields=['pupil_id']),
        ),
        ops.AddIndex(
            model_name='Incident',
            index=Index(fields=['school_id', 'occurred_at']),
        ),
        ops.AddIndex(
            model_name='Incident',
            index=Index(fields=['author_id', 'recorded_at']),
        ),
        ops.AddIndex(
            model_name='IncidentCategory',
            index=Index(fields=['category_id']),
        ),
        ops.AddIndex(
            model_name='IncidentPupil',
            index=Index(fields=['pupil_id']),
        ),
        ops.RunPython(*make_append_only('attachment')),
    ]
