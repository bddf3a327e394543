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
    # Alert the school's escalation group if no key holder alerted has read an incident
    # in this category within so many minutes. None: never.
    escalate_after_minutes = fields.IntField(null=True)
    # Its pushes come through quiet hours.
    urgent = fields.BooleanField(default=False, db_default=False)

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


class LinkRole:
    SUBJECT = "subject"
    VICTIM = "victim"
    ALLEGED_PERPETRATOR = "alleged_perpetrator"
    WITNESS = "witness"
    INVOLVED = "involved"
    ALL = ("subject", "victim", "alleged_perpetrator", "witness", "involved")


class Incident(Model):
    """A concern about a pupil, exactly as it was recorded. Never changed or deleted
    (database triggers refuse it): corrections are actions under it."""

    id = fields.IntField(primary_key=True)
    school = fields.ForeignKeyField("haven.School", related_name="incidents", on_delete=fields.RESTRICT)
    number = fields.IntField(description="Sequential within the school: incident 1042")
    pupil = fields.ForeignKeyField("haven.Pupil", related_name="incidents", on_delete=fields.RESTRICT)
    author = fields.ForeignKeyField("haven.User", related_name="incidents", on_delete=fields.RESTRICT)
    account = fields.TextField()
    occurred_at = fields.DatetimeField()
    recorded_at = fields.DatetimeField()

    class Meta:
        table = "incident"
        unique_together = (("school", "number"),)
        # A pupil's chronology, the search by date and "my incidents". The reports count a
        # school's period from the (school_id, occurred_at, ...) index alone: a trust's
        # incidents are spread over the whole table, a page each.
        indexes = (("pupil_id",), ("school_id", "occurred_at", "id", "pupil_id"),
                   ("author_id", "recorded_at"))


class IncidentPupil(Model):
    """Another pupil linked to an incident, with their part in it."""

    id = fields.IntField(primary_key=True)
    school = fields.ForeignKeyField("haven.School", related_name="incident_pupils", on_delete=fields.RESTRICT)
    incident = fields.ForeignKeyField("haven.Incident", related_name="linked_pupils", on_delete=fields.RESTRICT)
    pupil = fields.ForeignKeyField("haven.Pupil", related_name="incident_links", on_delete=fields.RESTRICT)
    role = fields.CharField(max_length=24)

    class Meta:
        table = "incident_pupil"
        unique_together = (("incident", "pupil"),)
        indexes = (("pupil_id",),)


class IncidentCategory(Model):
    id = fields.IntField(primary_key=True)
    school = fields.ForeignKeyField("haven.School", related_name="incident_categories", on_delete=fields.RESTRICT)
    incident = fields.ForeignKeyField("haven.Incident", related_name="category_links", on_delete=fields.RESTRICT)
    category = fields.ForeignKeyField("haven.Category", related_name="incident_links", on_delete=fields.RESTRICT)

    class Meta:
        table = "incident_category"
        unique_together = (("incident", "category"),)
        # A school's links, for the reports' counts by category.
        indexes = (("category_id",), ("school_id", "incident_id", "category_id"))


class IncidentAgency(Model):
    id = fields.IntField(primary_key=True)
    school = fields.ForeignKeyField("haven.School", related_name="incident_agencies", on_delete=fields.RESTRICT)
    incident = fields.ForeignKeyField("haven.Incident", related_name="agency_links", on_delete=fields.RESTRICT)
    agency = fields.ForeignKeyField("haven.Agency", related_name="incident_links", on_delete=fields.RESTRICT)

    class Meta:
        table = "incident_agency"
        unique_together = (("incident", "agency"),)


class BodyMapMarker(Model):
    """A mark on the front or back outline of a body: x and y from 0 to 1, and a note."""

    id = fields.IntField(primary_key=True)
    school = fields.ForeignKeyField("haven.School", related_name="body_map_markers", on_delete=fields.RESTRICT)
    incident = fields.ForeignKeyField("haven.Incident", related_name="body_map", on_delete=fields.RESTRICT)
    view = fields.CharField(max_length=5)
    x = fields.FloatField()
    y = fields.FloatField()
    note = fields.CharField(max_length=500, default="")

    class Meta:
        table = "body_map_marker"
        indexes = (("incident_id",),)


class ActionKind:
    NOTE = "note"
    AMENDMENT = "amendment"
    ENTERED_IN_ERROR = "entered_in_error"
    ALL = ("note", "amendment", "entered_in_error")
    # Corrections to the record itself are for key holders only.
    KEY_HOLDERS_ONLY = ("amendment", "entered_in_error")


class Action(Model):
    """A follow-up under an incident: what was done, a referral, a correction. Like the
    incident, never changed or deleted."""

    id = fields.IntField(primary_key=True)
    school = fields.ForeignKeyField("haven.School", related_name="actions", on_delete=fields.RESTRICT)
    incident = fields.ForeignKeyField("haven.Incident", related_name="actions", on_delete=fields.RESTRICT)
    author = fields.ForeignKeyField("haven.User", related_name="actions", on_delete=fields.RESTRICT)
    kind = fields.CharField(max_length=16, default="note")
    text = fields.TextField()
    # Agencies the concern was referred to with this action (ids of this school's).
    agency_ids = fields.JSONField(default=list)
    recorded_at = fields.DatetimeField()

    class Meta:
        table = "incident_action"
        # (kind, incident_id): the reports leave out incidents with an "entered in error"
        # action; without it each report scanned every action of every school.
        indexes = (("incident_id",), ("kind", "incident_id"))


class Attachment(Model):
    """A file attached to an incident or to one of its actions. The content is kept in the
    data folder under a random name (stored_as), and only ever served to people who may
    read the incident. Like the incident, never changed or deleted."""

    id = fields.IntField(primary_key=True)
    school = fields.ForeignKeyField("haven.School", related_name="attachments", on_delete=fields.RESTRICT)
    incident = fields.ForeignKeyField("haven.Incident", related_name="attachments", on_delete=fields.RESTRICT)
    action = fields.ForeignKeyField("haven.Action", related_name="attachments", null=True, on_delete=fields.RESTRICT)
    uploaded_by = fields.ForeignKeyField("haven.User", related_name="attachments", on_delete=fields.RESTRICT)
    name = fields.CharField(max_length=255, description="The file's name on the uploader's device")
    content_type = fields.CharField(max_length=100, description="As found from the content")
    size = fields.IntField()
    sha256 = fields.CharField(max_length=64, description="Of the content as stored")
    stored_as = fields.CharField(max_length=64, unique=True)
    uploaded_at = fields.DatetimeField()

    class Meta:
        table = "attachment"
        indexes = (("incident_id",),)


class IdempotencyRecord(Model):
    """A submission's Idempotency-Key, so that sending it again (the offline queue does)
    never records it twice. Kept at least 30 days."""

    id = fields.IntField(primary_key=True)
    school = fields.ForeignKeyField("haven.School", related_name="idempotency_records", on_delete=fields.CASCADE)
    user = fields.ForeignKeyField("haven.User", related_name="idempotency_records", on_delete=fields.CASCADE)
    key = fields.CharField(max_length=100)
    request_hash = fields.CharField(max_length=64)
    done = fields.BooleanField(default=False)
    resource_type = fields.CharField(max_length=16)
    resource_id = fields.IntField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "idempotency_record"
        unique_together = (("user", "key"),)
        indexes = (("created_at",),)  # for purging keys past KEEP_FOR
