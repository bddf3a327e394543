from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('haven', '0011_pupil_photo')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='BodyMapMarker',
            index=Index(fields=['incident_id']),
        ),
        ops.AddIndex(
            model_name='IdempotencyRecord',
            index=Index(fields=['created_at']),
        ),
    ]
