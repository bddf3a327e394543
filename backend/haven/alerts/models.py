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
