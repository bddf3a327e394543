from tortoise import fields
from tortoise.models import Model


class Category(Model):
    """What a concern is about, in a two-level tree (e.g. Child protection > Neglect).

    Categories are never deleted, since incidents refer to them: they are retired."""

    id = fields.IntField(primary_key=True)
    school = fields.ForeignKeyField("haven.School", related_name="categories", on_delete=fields.RESTRICT)
    parent = fields.ForeignKeyField(
        "haven.Category", related_name="children", null=True, on_delete=fields.RESTRICT
    )
    name = fields.CharField(max_length=100)
    guidance = fields.TextField(default="")
    # Alerted automatically when an incident is in this category: a role, and/or people.
    alert_role = fields.CharField(max_length=16, null=True)
    alert_user_ids = fields.JSONField(default=list)
    # Empty: every key holder may see its incidents. Otherwise only these roles may.
    visible_to_roles = fields.JSONField(default=list)
    position = fields.IntField(default=0)
    active = fields.BooleanField(default=True)

    class Meta:
        table = "category"
        unique_together = (("school", "parent", "name"),)


class Agency(Model):
    """An outside body a concern may be referred to (police, children's social care ...)."""

    id = fields.IntField(primary_key=True)
    school = fields.ForeignKeyField("haven.School", related_name="agencies", on_delete=fields.RESTRICT)
    name = fields.CharField(max_length=100)
    position = fields.IntField(default=0)
    active = fields.BooleanField(default=True)

    class Meta:
        table = "agency"
        unique_together = (("school", "name"),)
