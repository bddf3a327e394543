"""/api/admin/users (administrators, elevated), /api/staff (the names to alert) and
/api/me/sessions (everyone)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field
from quart import Blueprint, Response
from quart_schema import validate_querystring, validate_request, validate_response

from haven.accounts import staff
from haven.web.access import (
    account_setup,
    admin,
    client_ip,
    current_session,
    settings,
    signed_in,
)

blueprint = Blueprint("staff", __name__)


class StaffMember(BaseModel):
    id: int
    email: str
    name: str
    roles: list[str]
    active: bool
    totp_enrolled: bool
    password_set: bool
    password_change_required: bool
    live_sessions: int


class StaffList(BaseModel):
    users: list[StaffMember]


class NewStaffMember(BaseModel):
    email: str = Field(min_length=3, max_length=254)
    name: str = Field(min_length=1, max_length=200)
    roles: list[str] = Field(min_length=1, max_length=4)
    password: str | None = Field(
        default=None, max_length=1024,
        description="A first password, to be changed at first sign-in; without one, an "
        "invitation email lets them choose it",
    )


class RolesChange(BaseModel):
    roles: list[str] = Field(min_length=1, max_length=4)


class ActiveChange(BaseModel):
    active: bool


class MySession(BaseModel):
    id: int
    current: bool
    user_agent: str
    ip_address: str
    signed_in_at: datetime
    last_active_at: datetime


class MySessions(BaseModel):
    sessions: list[MySession]


def _school():
    return current_session().school


def _actor() -> int:
    return current_session().user_id


@blueprint.get("/api/admin/users")
@admin
@validate_response(StaffList, 200)
async def list_users():
    return {"users": await staff.list_staff(_school())}, 200


@blueprint.post("/api/admin/users")
@admin
@validate_request(NewStaffMember)
@validate_response(StaffMember, 201)
async def create_user(data: NewStaffMember):
    return await staff.create(_school(), email=data.email, name=data.name, roles=data.roles,
                              password=data.password, actor_id=_actor(),
                              public_url=settings().public_url), 201


@blueprint.get("/api/admin/users/<int:user_id>")
@admin
@validate_response(StaffMember, 200)
async def get_user(user_id: int):
    return await staff.one(_school(), user_id), 200


@blueprint.put("/api/admin/users/<int:user_id>/roles")
@admin
@validate_request(RolesChange)
@validate_response(StaffMember, 200)
async def change_roles(user_id: int, data: RolesChange):
    return await staff.set_roles(_school(), user_id, data.roles, actor_id=_actor()), 200


@blueprint.put("/api/admin/users/<int:user_id>/active")
@admin
@validate_request(ActiveChange)
@validate_response(StaffMember, 200)
async def change_active(user_id: int, data: ActiveChange):
    return await staff.set_active(_school(), user_id, data.active, actor_id=_actor()), 200


@blueprint.delete("/api/admin/users/<int:user_id>/totp")
@admin
@validate_response(StaffMember, 200)
async def reset_authenticator(user_id: int):
    return await staff.reset_authenticator(_school(), user_id, actor_id=_actor()), 200


@blueprint.delete("/api/admin/users/<int:user_id>/sessions")
@admin
@validate_response(StaffMember, 200)
async def end_sessions(user_id: int):
    return await staff.end_sessions(_school(), user_id, actor_id=_actor()), 200


class StaffQuery(BaseModel):
    q: str = Field(default="", max_length=100)


class Colleague(BaseModel):
    id: int
    name: str
    roles: list[str]


class Colleagues(BaseModel):
    staff: list[Colleague]
    always_alerted: list[Colleague] = Field(
        description="Alerted about every incident whoever is chosen (the SLT, when the "
        "school's always_alert_slt is on)")


@blueprint.get("/api/staff")
@signed_in
@validate_querystring(StaffQuery)
@validate_response(Colleagues, 200)
async def colleagues(query_args: StaffQuery):
    session = current_session()
    return await staff.directory(session.school, query_args.q, leave_out=session.user_id), 200


@blueprint.get("/api/me/sessions")
@account_setup
@validate_response(MySessions, 200)
async def my_sessions():
    return {"sessions": await staff.my_sessions(current_session())}, 200


@blueprint.delete("/api/me/sessions/<int:session_id>")
@account_setup
async def end_my_session(session_id: int):
    await staff.end_my_session(current_session(), session_id, ip_address=client_ip())
    return Response(status=204)
