from tortoise import fields
from tortoise.models import Model


class Alert(Model):
    """Someone told about an incident: why, and when they marked it read."""

    id = fields.IntField(primary_key=True)
    school = fields.ForeignKeyField("haven.School", related_name="alerts", on_delete=fields.RESTRICT)
    incident = fields.ForeignKeyField("haven.Incident", related_name="alerts", on_delete=fields.RESTRICT)
    recipient = fields.ForeignKeyField("haven.User", related_name="alerts", on_delete=fields.RESTRICT)
    reason = fields.CharField(max_length=16, description="chosen, category or slt")
    created_at = fields.DatetimeField()
    read_at = fields.DatetimeField(null=True)

    class Meta:
        table = "alert"
        unique_together = (("incident", "recipient"),)
        indexes = (("recipient_id", "read_at"),)


class Escalation(Model):
    """An incident in a category that escalates: when it is due, and what came of it. The
    first process to check it (checked_at) decides, so it escalates at most once."""

    id = fields.IntField(primary_key=True)
    school = fields.ForeignKeyField("haven.School", related_name="escalations", on_delete=fields.RESTRICT)
    incident = fields.OneToOneField("haven.Incident", related_name="escalation", on_delete=fields.RESTRICT)
    due_at = fields.DatetimeField()
    checked_at = fields.DatetimeField(null=True)
    escalated_at = fields.DatetimeField(null=True)

    class Meta:
        table = "escalation"
        indexes = (("checked_at", "due_at"),)


class ReminderRun(Model):
    """The end-of-day reminder of one school on one day: written once, by whichever
    process gets there first, so nobody is reminded twice."""

    id = fields.IntField(primary_key=True)
    school = fields.ForeignKeyField("haven.School", related_name="reminder_runs", on_delete=fields.CASCADE)
    day = fields.DateField()
    reminded = fields.IntField(default=0)
    created_at = fields.DatetimeField()

    class Meta:
        table = "reminder_run"
        unique_together = (("school", "day"),)
