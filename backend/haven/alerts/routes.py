"""GET /api/alerts and POST /api/incidents/{id}/read."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field
from quart import Blueprint
from quart_schema import validate_querystring, validate_response

from haven.alerts import service as alerts
from haven.web.access import client_ip, current_session, signed_in

blueprint = Blueprint("alerts", __name__)


class AlertQuery(BaseModel):
    unread: int = Field(default=0, ge=0, le=1)


class AlertOut(BaseModel):
    id: int
    incident_id: int
    incident_number: int
    raised_by: str
    categories: list[str]
    reason: str
    created_at: datetime
    read_at: datetime | None


class AlertList(BaseModel):
    alerts: list[AlertOut]


class ReadOut(BaseModel):
    incident_id: int
    read_at: datetime


@blueprint.get("/api/alerts")
@signed_in
@validate_querystring(AlertQuery)
@validate_response(AlertList, 200)
async def list_alerts(query_args: AlertQuery):
    found = await alerts.my_alerts(current_session(), unread_only=bool(query_args.unread))
    return {"alerts": found}, 200


@blueprint.post("/api/incidents/<int:incident_id>/read")
@signed_in
@validate_response(ReadOut, 200)
async def mark_read(incident_id: int):
    return await alerts.mark_read(current_session(), incident_id, ip_address=client_ip()), 200
