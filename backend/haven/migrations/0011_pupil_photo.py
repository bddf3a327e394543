from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('haven', '0010_attachments_and_indexes')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Pupil',
            name='photo',
            field=fields.CharField(null=True, description="Stored name of the photo in the data folder's files", max_length=64),
        ),
    ]
