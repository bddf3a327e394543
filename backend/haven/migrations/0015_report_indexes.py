from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('haven', '0014_push_escalation_quiet_hours')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='Action',
            index=Index(fields=['kind', 'incident_id']),
        ),
        ops.RemoveIndex(
            model_name='Incident',
            name=None,
            fields=['school_id', 'occurred_at'],
        ),
        ops.AddIndex(
            model_name='Incident',
            index=Index(fields=['school_id', 'occurred_at', 'id', 'pupil_id']),
        ),
        ops.AddIndex(
            model_name='IncidentCategory',
            index=Index(fields=['school_id', 'incident_id', 'category_id']),
        ),
    ]
