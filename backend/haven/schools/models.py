from tortoise import fields
from tortoise.models import Model

# What a new school starts with; GET/PATCH /api/admin/settings works on these names.
DEFAULT_SETTINGS = {
    "timezone": "Europe/London",
    "idle_timeout_minutes": 10,
    "session_lifetime_hours": 12,
    "elevation_minutes": 60,
    "password_policy": "school",
    "require_authenticator": False,
    "always_alert_slt": True,
    # Weekdays at this time (school time zone, HH:MM), everyone with unread alerts gets one
    # reminder. None: off.
    "end_of_day_reminder": "15:30",
    # Who an unacknowledged incident in an escalating category is escalated to.
    "escalation_roles": ["dsl", "slt"],
    # Patterns (reports/patterns.py): this many concerns about a pupil within this many
    # days is a cluster; a count this many times the usual one is a rise.
    "pattern_concerns": 3,
    "pattern_days": 7,
    "pattern_rise_factor": 2,
    # The governors' report shows counts from 1 to 4 as "fewer than 5".
    "report_small_numbers": True,
}


def default_settings() -> dict:
    return dict(DEFAULT_SETTINGS)


class School(Model):
    """A school: the tenant that every record belongs to."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=200)
    slug = fields.CharField(max_length=64, unique=True)
    settings = fields.JSONField(default=default_settings)
    created_at = fields.DatetimeField(auto_now_add=True)
    # Moved on by a database trigger whenever a pupil of the school is added, changed or
    # removed (see pupils/roll.py): each worker keeps the roll in memory for the typeahead
    # and reloads it when this differs. Never written by Haven itself, so never save() a
    # whole School: update the fields you change.
    roll_version = fields.BigIntField(default=0, db_default=0)

    class Meta:
        table = "school"

    def setting(self, name: str):
        return {**DEFAULT_SETTINGS, **(self.settings or {})}[name]
