"""Categories and agencies: the lists for the form, and their administration."""

from __future__ import annotations

from pydantic import BaseModel, Field
from quart import Blueprint
from quart_schema import validate_request, validate_response

from haven.incidents import categories as catalogue
from haven.web.access import admin, current_session, signed_in

blueprint = Blueprint("categories", __name__)


class CategoryOut(BaseModel):
    id: int
    parent_id: int | None
    name: str
    guidance: str
    alert_role: str | None
    alert_user_ids: list[int]
    visible_to_roles: list[str]
    position: int
    active: bool
    urgent: bool
    escalate_after_minutes: int | None


class CategoryList(BaseModel):
    categories: list[CategoryOut]


class CategoryIn(BaseModel):
    parent_id: int | None = None
    name: str = Field(min_length=1, max_length=100)
    guidance: str = Field(default="", max_length=4000)
    alert_role: str | None = Field(default=None, max_length=16)
    alert_user_ids: list[int] = Field(default_factory=list, max_length=50)
    visible_to_roles: list[str] = Field(default_factory=list, max_length=4)
    position: int = Field(default=0, ge=0, le=10_000)
    active: bool = True
    urgent: bool = False
    escalate_after_minutes: int | None = Field(default=None, ge=1, le=24 * 60)


class CategoryChange(BaseModel):
    parent_id: int | None = None
    name: str | None = Field(default=None, min_length=1, max_length=100)
    guidance: str | None = Field(default=None, max_length=4000)
    alert_role: str | None = Field(default=None, max_length=16)
    alert_user_ids: list[int] | None = Field(default=None, max_length=50)
    visible_to_roles: list[str] | None = Field(default=None, max_length=4)
    position: int | None = Field(default=None, ge=0, le=10_000)
    active: bool | None = None
    urgent: bool | None = None
    # null turns escalation off.
    escalate_after_minutes: int | None = Field(default=None, ge=1, le=24 * 60)


class AgencyOut(BaseModel):
    id: int
    name: str
    position: int
    active: bool


class AgencyList(BaseModel):
    agencies: list[AgencyOut]


class AgencyIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    position: int = Field(default=0, ge=0, le=10_000)
    active: bool = True


class AgencyChange(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    position: int | None = Field(default=None, ge=0, le=10_000)
    active: bool | None = None


def _school():
    return current_session().school


@blueprint.get("/api/categories")
@signed_in
@validate_response(CategoryList, 200)
async def list_categories():
    return {"categories": await catalogue.categories(_school())}, 200


@blueprint.get("/api/agencies")
@signed_in
@validate_response(AgencyList, 200)
async def list_agencies():
    return {"agencies": await catalogue.agencies(_school())}, 200


@blueprint.get("/api/admin/categories")
@admin
@validate_response(CategoryList, 200)
async def all_categories():
    return {"categories": await catalogue.categories(_school(), include_retired=True)}, 200


@blueprint.post("/api/admin/categories")
@admin
@validate_request(CategoryIn)
@validate_response(CategoryOut, 201)
async def add_category(data: CategoryIn):
    return await catalogue.save_category(_school(), data.model_dump(),
                                         actor_id=current_session().user_id), 201


@blueprint.patch("/api/admin/categories/<int:category_id>")
@admin
@validate_request(CategoryChange)
@validate_response(CategoryOut, 200)
async def change_category(category_id: int, data: CategoryChange):
    # null clears what may be empty; for the rest it means "no change".
    changes = {name: value for name, value in data.model_dump(exclude_unset=True).items()
               if value is not None or name in _CLEARABLE}
    return await catalogue.save_category(_school(), changes,
                                         actor_id=current_session().user_id,
                                         category_id=category_id), 200


_CLEARABLE = {"parent_id", "alert_role", "escalate_after_minutes"}


@blueprint.get("/api/admin/agencies")
@admin
@validate_response(AgencyList, 200)
async def all_agencies():
    return {"agencies": await catalogue.agencies(_school(), include_retired=True)}, 200


@blueprint.post("/api/admin/agencies")
@admin
@validate_request(AgencyIn)
@validate_response(AgencyOut, 201)
async def add_agency(data: AgencyIn):
    return await catalogue.save_agency(_school(), data.model_dump(),
                                       actor_id=current_session().user_id), 201


@blueprint.patch("/api/admin/agencies/<int:agency_id>")
@admin
@validate_request(AgencyChange)
@validate_response(AgencyOut, 200)
async def change_agency(agency_id: int, data: AgencyChange):
    return await catalogue.save_agency(_school(), data.model_dump(exclude_unset=True),
                                       actor_id=current_session().user_id,
                                       agency_id=agency_id), 200
