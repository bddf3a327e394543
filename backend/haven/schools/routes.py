"""GET and PATCH /api/admin/settings: the school's own settings (administrators)."""

from __future__ import annotations

from typing import Annotated, Literal
from zoneinfo import available_timezones

from pydantic import BaseModel, Field, field_validator
from quart import Blueprint
from quart_schema import validate_request, validate_response

from haven.schools import service as schools
from haven.web.access import admin, current_session

blueprint = Blueprint("schools", __name__)


ClockTime = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$",
                                 description="HH:MM, 24-hour")]
KeyHolderRole = Literal["dsl", "slt"]


class SchoolSettings(BaseModel):
    timezone: str
    idle_timeout_minutes: int = Field(ge=1, le=60)
    session_lifetime_hours: int = Field(ge=1, le=24)
    elevation_minutes: int = Field(ge=1, le=480)
    password_policy: Literal["school", "nist"]
    require_authenticator: bool
    always_alert_slt: bool
    end_of_day_reminder: ClockTime | None
    escalation_roles: list[KeyHolderRole]
    report_small_numbers: bool
    pattern_concerns: int = Field(ge=2, le=50)
    pattern_days: int = Field(ge=1, le=90)
    pattern_rise_factor: int = Field(ge=2, le=20)


class SettingsChange(BaseModel):
    """Only the settings to change."""

    timezone: str | None = None
    idle_timeout_minutes: int | None = Field(default=None, ge=1, le=60)
    session_lifetime_hours: int | None = Field(default=None, ge=1, le=24)
    elevation_minutes: int | None = Field(default=None, ge=1, le=480)
    password_policy: Literal["school", "nist"] | None = None
    require_authenticator: bool | None = None
    always_alert_slt: bool | None = None
    # "" turns the reminder off (null means no change, as for every setting here).
    end_of_day_reminder: ClockTime | Literal[""] | None = None
    escalation_roles: list[KeyHolderRole] | None = Field(default=None, min_length=1)
    report_small_numbers: bool | None = None
    pattern_concerns: int | None = Field(default=None, ge=2, le=50)
    pattern_days: int | None = Field(default=None, ge=1, le=90)
    pattern_rise_factor: int | None = Field(default=None, ge=2, le=20)

    @field_validator("timezone")
    @classmethod
    def _known_time_zone(cls, value: str | None) -> str | None:
        if value is not None and value not in available_timezones():
            raise ValueError("must be a time zone such as Europe/London")
        return value


@blueprint.get("/api/admin/settings")
@admin
@validate_response(SchoolSettings, 200)
async def get_settings():
    return schools.all_settings(current_session().school), 200


@blueprint.patch("/api/admin/settings")
@admin
@validate_request(SettingsChange)
@validate_response(SchoolSettings, 200)
async def change_settings(data: SettingsChange):
    changes = data.model_dump(exclude_none=True)
    if changes.get("end_of_day_reminder") == "":
        changes["end_of_day_reminder"] = None
    return await schools.update_settings(current_session().school, changes,
                                         actor_id=current_session().user_id), 200
