"""GET /api/offline/reference: what the record forms need without signal (issue 6)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from quart import Blueprint, current_app
from quart_schema import validate_response

from haven.accounts.staff_routes import Colleague
from haven.incidents import offline
from haven.incidents.category_routes import AgencyOut, CategoryOut
from haven.web.access import client_ip, current_session, signed_in

blueprint = Blueprint("offline", __name__)


class PupilName(BaseModel):
    id: int
    name: str
    year_group: str
    form: str
    first_name: str
    preferred_name: str
    last_name: str


class Reference(BaseModel):
    generated_at: datetime
    pupils: list[PupilName]
    categories: list[CategoryOut]
    agencies: list[AgencyOut]
    staff: list[Colleague]
    always_alerted: list[Colleague]


@blueprint.get("/api/offline/reference")
@signed_in
@validate_response(Reference, 200)
async def reference():
    return await offline.reference(current_session(), current_app.extensions["haven_rolls"],
                                   ip_address=client_ip()), 200
