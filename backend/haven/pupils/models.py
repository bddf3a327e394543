from tortoise import fields
from tortoise.models import Model


class Pupil(Model):
    """A child on (or once on) a school's roll. Never deleted: leaving sets left_on."""

    id = fields.IntField(primary_key=True)
    school = fields.ForeignKeyField("haven.School", related_name="pupils", on_delete=fields.RESTRICT)
    upn = fields.CharField(max_length=32, description="Unique pupil number from the MIS")
    first_name = fields.CharField(max_length=100)
    preferred_name = fields.CharField(max_length=100, default="")
    last_name = fields.CharField(max_length=100)
    date_of_birth = fields.DateField()
    year_group = fields.CharField(max_length=16)
    form = fields.CharField(max_length=32, default="")
    gender = fields.CharField(max_length=32, default="")
    on_roll_from = fields.DateField(null=True)
    left_on = fields.DateField(null=True)
    photo = fields.CharField(max_length=64, null=True,
                             description="Stored name of the photo in the data folder's files")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "pupil"
        unique_together = (("school", "upn"),)

    @property
    def display_name(self) -> str:
        return f"{self.preferred_name or self.first_name} {self.last_name}"
