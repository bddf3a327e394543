from tortoise import migrations
from tortoise.migrations import operations as ops

from haven.db import make_append_only

forwards, backwards = make_append_only("audit_event")


class Migration(migrations.Migration):
    dependencies = [("haven", "0001_initial")]

    operations = [ops.RunPython(forwards, backwards)]
