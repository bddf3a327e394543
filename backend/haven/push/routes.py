"""Alerts on this device: the VAPID key, push subscriptions, and quiet hours.

    GET    /api/push/key             the application server key for pushManager.subscribe
    GET    /api/push/subscriptions   my devices
    POST   /api/push/subscriptions   PushSubscription.toJSON(): 201 new, 200 updated
    DELETE /api/push/subscriptions   {"endpoint"}: 204
    GET    /api/me/quiet-hours       {"quiet_from", "quiet_until"} ("22:00", or null)
    PUT    /api/me/quiet-hours       the same: both set, or both null
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, model_validator
from quart import Blueprint, request
from quart_schema import validate_request, validate_response

from haven.keys import vapid_public_key
from haven.push import service as push
from haven.schools.routes import ClockTime
from haven.web.access import current_session, settings, signed_in

blueprint = Blueprint("push", __name__)


class PublicKey(BaseModel):
    public_key: str


class SubscriptionKeys(BaseModel):
    p256dh: str = Field(min_length=1, max_length=100)
    auth: str = Field(min_length=1, max_length=40)


class SubscriptionIn(BaseModel):
    """What the browser's PushSubscription.toJSON() gives."""

    endpoint: str = Field(min_length=1, max_length=1000)
    expirationTime: float | None = None  # noqa: N815 (the browser's name)
    keys: SubscriptionKeys


class Device(BaseModel):
    id: int
    endpoint: str
    label: str
    created_at: datetime


class Devices(BaseModel):
    subscriptions: list[Device]


class Endpoint(BaseModel):
    endpoint: str = Field(min_length=1, max_length=1000)


class QuietHours(BaseModel):
    quiet_from: ClockTime | None
    quiet_until: ClockTime | None

    @model_validator(mode="after")
    def _both_or_neither(self) -> QuietHours:
        if (self.quiet_from is None) != (self.quiet_until is None):
            raise ValueError("give both quiet_from and quiet_until, or neither (off)")
        if self.quiet_from is not None and self.quiet_from == self.quiet_until:
            raise ValueError("quiet hours must end at another time than they start")
        return self


@blueprint.get("/api/push/key")
@signed_in
@validate_response(PublicKey, 200)
async def public_key():
    return {"public_key": vapid_public_key(settings().data_dir)}, 200


@blueprint.get("/api/push/subscriptions")
@signed_in
@validate_response(Devices, 200)
async def my_devices():
    return {"subscriptions": await push.devices(current_session())}, 200


@blueprint.post("/api/push/subscriptions")
@signed_in
@validate_request(SubscriptionIn)
@validate_response(Device, 201)
@validate_response(Device, 200)
async def subscribe(data: SubscriptionIn):
    device, created = await push.subscribe(
        current_session(), data.model_dump(), settings=settings(),
        user_agent=request.headers.get("User-Agent", ""))
    return push.device_json(device), 201 if created else 200


@blueprint.delete("/api/push/subscriptions")
@signed_in
@validate_request(Endpoint)
async def unsubscribe(data: Endpoint):
    await push.unsubscribe(current_session(), data.endpoint)
    return "", 204


@blueprint.get("/api/me/quiet-hours")
@signed_in
@validate_response(QuietHours, 200)
async def my_quiet_hours():
    user = current_session().user
    return {"quiet_from": user.quiet_from, "quiet_until": user.quiet_until}, 200


@blueprint.put("/api/me/quiet-hours")
@signed_in
@validate_request(QuietHours)
@validate_response(QuietHours, 200)
async def set_quiet_hours(data: QuietHours):
    await push.set_quiet_hours(current_session(), data.quiet_from, data.quiet_until)
    return data.model_dump(), 200
