"""Recording concerns and reading them: /api/incidents, its actions, the pupil's
chronology and the files attached to them (/api/files/{id})."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field
from quart import Blueprint, request, send_file
from quart_schema import validate_querystring, validate_response

from haven.accounts import service as accounts
from haven.incidents import files, search
from haven.incidents import service as incidents
from haven.web.access import (
    client_ip,
    current_session,
    key_holder,
    require_key_holder,
    settings,
    signed_in,
)
from haven.web.submissions import validate_submission

blueprint = Blueprint("incidents", __name__)


class LinkedPupilIn(BaseModel):
    pupil_id: int
    role: str = Field(max_length=24)


class MarkerIn(BaseModel):
    view: Literal["front", "back"]
    x: float = Field(ge=0, le=1)
    y: float = Field(ge=0, le=1)
    note: str = Field(default="", max_length=500)


class IncidentIn(BaseModel):
    pupil_id: int
    linked_pupils: list[LinkedPupilIn] = Field(default_factory=list, max_length=30)
    category_ids: list[int] = Field(min_length=1, max_length=10)
    account: str = Field(max_length=incidents.MAX_ACCOUNT)
    occurred_at: datetime | None = Field(
        default=None, description="With a time zone offset; defaults to now")
    agency_ids: list[int] = Field(default_factory=list, max_length=20)
    body_map: list[MarkerIn] = Field(default_factory=list, max_length=50)
    alert_user_ids: list[int] = Field(default_factory=list, max_length=50)


class PupilRef(BaseModel):
    id: int
    name: str
    year_group: str
    form: str


class LinkedPupilOut(BaseModel):
    pupil: PupilRef
    role: str


class Named(BaseModel):
    id: int
    name: str


class MarkerOut(BaseModel):
    view: str
    x: float
    y: float
    note: str


class FileOut(BaseModel):
    id: int
    name: str
    content_type: str
    size: int
    action_id: int | None = Field(description="The action it came with; null: the incident")


class AlertOut(BaseModel):
    user: Named
    reason: str
    read_at: datetime | None


class ActionIn(BaseModel):
    text: str = Field(max_length=incidents.MAX_ACCOUNT)
    kind: Literal["note", "amendment", "entered_in_error"] = "note"
    alert_user_ids: list[int] = Field(default_factory=list, max_length=50)
    agency_ids: list[int] = Field(default_factory=list, max_length=20)


class ActionOut(BaseModel):
    id: int
    kind: str
    text: str
    agency_ids: list[int]
    recorded_at: datetime
    author: Named
    files: list[FileOut]


class IncidentOut(BaseModel):
    id: int
    number: int
    pupil: PupilRef
    linked_pupils: list[LinkedPupilOut]
    categories: list[Named]
    agencies: list[Named]
    account: str
    occurred_at: datetime
    recorded_at: datetime
    author: Named
    body_map: list[MarkerOut]
    actions: list[ActionOut]
    files: list[FileOut] = Field(description="All of them, the actions' too")
    entered_in_error: bool
    alerts: list[AlertOut] = Field(description="Shown to the author and key holders")
    escalated_at: datetime | None = Field(
        description="When no key holder alerted had read it in time and the escalation "
        "group was alerted again")


def _store() -> files.Store:
    return files.Store.of(settings())


@blueprint.post("/api/incidents")
@signed_in
@validate_submission(IncidentIn)
@validate_response(IncidentOut, 201)
async def record(data: IncidentIn, uploads: list[files.Upload]):
    session = current_session()
    new = incidents.NewIncident(
        pupil_id=data.pupil_id,
        category_ids=data.category_ids,
        account=data.account,
        occurred_at=data.occurred_at,
        linked_pupils=[(link.pupil_id, link.role) for link in data.linked_pupils],
        agency_ids=data.agency_ids,
        body_map=[marker.model_dump() for marker in data.body_map],
        alert_user_ids=data.alert_user_ids,
    )
    incident_id, replayed = await incidents.record_incident(
        session.school, session.user, new, public_url=settings().public_url,
        store=_store(), uploads=uploads, ip_address=client_ip(), idempotency_key=request.headers.get("Idempotency-Key"),
        request=data.model_dump(mode="json"))
    roles = await accounts.roles_in(session.user_id, session.school_id)
    body = await incidents.read_incident(session, incident_id, roles, audit_view=False)
    return body, 201, _replayed(replayed)


class IncidentQuery(BaseModel):
    mine: int = Field(default=0, ge=0, le=1, description="1: only those I recorded")
    pupil: int | None = None
    category: int | None = Field(default=None, description="Subcategories included")
    from_: datetime | None = Field(default=None, alias="from")
    to: datetime | None = None
    q: str = Field(default="", max_length=200, description="Words in the account")
    page: int = Field(default=1, ge=1, le=10_000)
    per_page: int = Field(default=50, ge=1, le=200)


class IncidentListed(BaseModel):
    id: int
    number: int
    pupil: PupilRef
    categories: list[str]
    occurred_at: datetime
    recorded_at: datetime
    author: Named
    entered_in_error: bool


class IncidentList(BaseModel):
    total: int
    page: int
    per_page: int
    incidents: list[IncidentListed]


@blueprint.get("/api/incidents")
@signed_in
@validate_querystring(IncidentQuery)
@validate_response(IncidentList, 200)
async def find(query_args: IncidentQuery):
    """mine=1: my own records, for anyone signed in. Otherwise the key holders' search."""
    session = current_session()
    if query_args.mine:
        return await search.recorded_by(session, page=query_args.page,
                                        per_page=query_args.per_page), 200
    await require_key_holder()
    roles = await accounts.roles_in(session.user_id, session.school_id)
    filters = search.Filters(pupil_id=query_args.pupil, category_id=query_args.category,
                             since=query_args.from_, until=query_args.to, text=query_args.q)
    return await search.search(session, roles, filters, page=query_args.page,
                               per_page=query_args.per_page, ip_address=client_ip()), 200


@blueprint.get("/api/incidents/<int:incident_id>")
@signed_in
@validate_response(IncidentOut, 200)
async def read(incident_id: int):
    session = current_session()
    roles = await accounts.roles_in(session.user_id, session.school_id)
    return await incidents.read_incident(session, incident_id, roles,
                                         ip_address=client_ip()), 200


@blueprint.post("/api/incidents/<int:incident_id>/actions")
@signed_in
@validate_submission(ActionIn)
@validate_response(ActionOut, 201)
async def add_action(incident_id: int, data: ActionIn, uploads: list[files.Upload]):
    session = current_session()
    roles = await accounts.roles_in(session.user_id, session.school_id)
    action, replayed = await incidents.add_action(
        session, incident_id, roles, text=data.text, kind=data.kind,
        alert_user_ids=data.alert_user_ids, agency_ids=data.agency_ids,
        public_url=settings().public_url, store=_store(), uploads=uploads,
        ip_address=client_ip(), idempotency_key=request.headers.get("Idempotency-Key"),
        request=data.model_dump(mode="json"))
    return action, 201, _replayed(replayed)


@blueprint.get("/api/files/<int:attachment_id>")
@signed_in
async def download(attachment_id: int):
    session = current_session()
    roles = await accounts.roles_in(session.user_id, session.school_id)
    attachment = await incidents.attachment_for(session, attachment_id, roles,
                                                ip_address=client_ip())
    # Always a download, never shown in Haven's own pages: with nosniff (security.py), a
    # file can never run as a page or script of this origin.
    response = await send_file(_store().path(attachment.stored_as),
                               mimetype=attachment.content_type, conditional=False,
                               cache_timeout=0)
    response.headers["Content-Disposition"] = files.content_disposition(attachment.name)
    return response


def _replayed(replayed: bool) -> dict:
    # Tells the offline queue this was its earlier submission, answered again.
    return {"Idempotent-Replayed": "true"} if replayed else {}


class ChronologyQuery(BaseModel):
    category: int | None = None
    from_: datetime | None = Field(default=None, alias="from")
    to: datetime | None = None
    page: int = Field(default=1, ge=1, le=10_000)
    per_page: int = Field(default=100, ge=1, le=5_000, description="Up to 5,000: a case "
                          "conference may want the whole chronology at once")


class ChronologyEntry(BaseModel):
    type: Literal["incident", "action"]
    at: datetime
    incident_id: int
    number: int
    role: str | None
    categories: list[str]
    text: str
    author: str
    kind: str | None = None


class ChronologyOut(BaseModel):
    pupil: PupilRef
    total: int
    page: int
    per_page: int
    entries: list[ChronologyEntry]


@blueprint.get("/api/pupils/<int:pupil_id>/chronology")
@key_holder
@validate_querystring(ChronologyQuery)
@validate_response(ChronologyOut, 200)
async def pupil_chronology(pupil_id: int, query_args: ChronologyQuery):
    session = current_session()
    roles = await accounts.roles_in(session.user_id, session.school_id)
    return await incidents.chronology(
        session, pupil_id, roles, category_id=query_args.category, since=query_args.from_,
        until=query_args.to, page=query_args.page, per_page=query_args.per_page,
        ip_address=client_ip()), 200
