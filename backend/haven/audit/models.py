from tortoise import fields
from tortoise.models import Model


class AuditEvent(Model):
    """One line of the append-only audit trail.

    Each row stores the hash of the row before it and the hash of its own canonical
    content, so editing, deleting or reordering rows breaks the chain (`haven audit verify`).
    Database triggers refuse UPDATE and DELETE.
    """

    id = fields.BigIntField(primary_key=True)
    school = fields.ForeignKeyField(
        "haven.School", related_name="audit_events", null=True, on_delete=fields.RESTRICT
    )
    at = fields.DatetimeField()
    actor = fields.ForeignKeyField(
        "haven.User", related_name="audit_events", null=True, on_delete=fields.RESTRICT
    )
    action = fields.CharField(max_length=64)
    target_type = fields.CharField(max_length=32, default="")
    target_id = fields.CharField(max_length=64, default="")
    detail = fields.JSONField(default=dict)
    ip_address = fields.CharField(max_length=45, default="")
    prev_hash = fields.CharField(max_length=64)
    hash = fields.CharField(max_length=64, unique=True)

    class Meta:
        table = "audit_event"


class AuditHead(Model):
    """The newest row of the trail, sealed with an HMAC under a key kept in the data folder
    (not in the database). Deleting the newest rows, or rewriting the chain to its end,
    would need a new seal, which nobody with only database access can make."""

    id = fields.IntField(primary_key=True)
    last_id = fields.BigIntField()
    last_hash = fields.CharField(max_length=64)
    seal = fields.CharField(max_length=64)

    class Meta:
        table = "audit_head"
