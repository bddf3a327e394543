from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

from haven.db import make_append_only

class Migration(migrations.Migration):
    dependencies = [('haven', '0005_categories_and_agencies')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Incident',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('school', fields.ForeignKeyField('haven.School', source_field='school_id', db_constraint=True, to_field='id', related_name='incidents', on_delete=OnDelete.RESTRICT)),
                ('number', fields.IntField(description='Sequential within the school: incident 1042')),
                ('pupil', fields.ForeignKeyField('haven.Pupil', source_field='pupil_id', db_constraint=True, to_field='id', related_name='incidents', on_delete=OnDelete.RESTRICT)),
                ('author', fields.ForeignKeyField('haven.User', source_field='author_id', db_constraint=True, to_field='id', related_name='incidents', on_delete=OnDelete.RESTRICT)),
                ('account', fields.TextField(unique=False)),
                ('occurred_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('recorded_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'incident', 'app': 'haven', 'unique_together': (('school', 'number'),), 'pk_attr': 'id', 'table_description': 'A concern about a pupil, exactly as it was recorded. Never changed or deleted'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='BodyMapMarker',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('school', fields.ForeignKeyField('haven.School', source_field='school_id', db_constraint=True, to_field='id', related_name='body_map_markers', on_delete=OnDelete.RESTRICT)),
                ('incident', fields.ForeignKeyField('haven.Incident', source_field='incident_id', db_constraint=True, to_field='id', related_name='body_map', on_delete=OnDelete.RESTRICT)),
                ('view', fields.CharField(max_length=5)),
                ('x', fields.FloatField()),
                ('y', fields.FloatField()),
                ('note', fields.CharField(default='', max_length=500)),
            ],
            options={'table': 'body_map_marker', 'app': 'haven', 'pk_attr': 'id', 'table_description': 'A mark on the front or back outline of a body: x and y from 0 to 1, and a note.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='IncidentAgency',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('school', fields.ForeignKeyField('haven.School', source_field='school_id', db_constraint=True, to_field='id', related_name='incident_agencies', on_delete=OnDelete.RESTRICT)),
                ('incident', fields.ForeignKeyField('haven.Incident', source_field='incident_id', db_constraint=True, to_field='id', related_name='agency_links', on_delete=OnDelete.RESTRICT)),
                ('agency', fields.ForeignKeyField('haven.Agency', source_field='agency_id', db_constraint=True, to_field='id', related_name='incident_links', on_delete=OnDelete.RESTRICT)),
            ],
            options={'table': 'incident_agency', 'app': 'haven', 'unique_together': (('incident', 'agency'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='IncidentCategory',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('school', fields.ForeignKeyField('haven.School', source_field='school_id', db_constraint=True, to_field='id', related_name='incident_categories', on_delete=OnDelete.RESTRICT)),
                ('incident', fields.ForeignKeyField('haven.Incident', source_field='incident_id', db_constraint=True, to_field='id', related_name='category_links', on_delete=OnDelete.RESTRICT)),
                ('category', fields.ForeignKeyField('haven.Category', source_field='category_id', db_constraint=True, to_field='id', related_name='incident_links', on_delete=OnDelete.RESTRICT)),
            ],
            options={'table': 'incident_category', 'app': 'haven', 'unique_together': (('incident', 'category'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='IncidentPupil',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('school', fields.ForeignKeyField('haven.School', source_field='school_id', db_constraint=True, to_field='id', related_name='incident_pupils', on_delete=OnDelete.RESTRICT)),
                ('incident', fields.ForeignKeyField('haven.Incident', source_field='incident_id', db_constraint=True, to_field='id', related_name='linked_pupils', on_delete=OnDelete.RESTRICT)),
                ('pupil', fields.ForeignKeyField('haven.Pupil', source_field='pupil_id', db_constraint=True, to_field='id', related_name='incident_links', on_delete=OnDelete.RESTRICT)),
                ('role', fields.CharField(max_length=24)),
            ],
            options={'table': 'incident_pupil', 'app': 'haven', 'unique_together': (('incident', 'pupil'),), 'pk_attr': 'id', 'table_description': 'Another pupil linked to an incident, with their part in it.'},
            bases=['Model'],
        ),
        # Incidents are never edited or deleted, not even by SQL run by hand.
        ops.RunPython(*make_append_only('incident')),
        ops.RunPython(*make_append_only('incident_pupil')),
        ops.RunPython(*make_append_only('incident_category')),
        ops.RunPython(*make_append_only('incident_agency')),
        ops.RunPython(*make_append_only('body_map_marker')),
    ]
