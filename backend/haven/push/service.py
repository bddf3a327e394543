"""Web push: the devices that take Haven's alerts, and the messages queued for them.

A push goes through the outbox like an email (outbox/dispatcher.py sends it with
push/sender.py): one message per device of each person alerted, written in the same
transaction as the incident or action that caused it. What a push says is only who
raised the concern, its category, the kind of alert and where to open it: never the
pupil, never the account. A lock screen is not private.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from cryptography.hazmat.primitives.asymmetric import ec
from tortoise.exceptions import IntegrityError

from haven import clock
from haven.accounts.models import Session, User
from haven.config import Settings, _is_loopback
from haven.errors import APIError
from haven.outbox.models import Channel, OutboxMessage
from haven.push.models import PushSubscription
from haven.schools.models import School

# The browsers' push services: Chrome and Edge on Android and desktop (Google's FCM),
# Firefox (Mozilla's autopush), Safari on macOS, iPhone and iPad (Apple), and the legacy
# Edge on Windows (WNS). HAVEN_PUSH_ENDPOINT_HOSTS replaces this list.
BROWSER_PUSH_HOSTS = (
    "fcm.googleapis.com",
    "updates.push.services.mozilla.com",
    "push.services.mozilla.com",
    "web.push.apple.com",
    "*.notify.windows.com",
)
# A person rarely has more than a phone, a tablet and a desktop or two; the oldest go.
MAX_DEVICES = 10


def refused(message: str) -> APIError:
    return APIError(400, "PUSH_ENDPOINT_REFUSED", message)


def _hosts(settings: Settings) -> tuple[str, ...]:
    named = tuple(h.strip().lower() for h in settings.push_endpoint_hosts.split(",")
                  if h.strip())
    return named or BROWSER_PUSH_HOSTS


def _host_allowed(host: str, allowed: tuple[str, ...]) -> bool:
    return any(host == pattern or (pattern.startswith("*.") and
                                   host.endswith(pattern[1:]) and len(host) > len(pattern) - 1)
               for pattern in allowed)


_HOST_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")


def check_endpoint(endpoint: str, settings: Settings) -> str:
    """The endpoint, if Haven may POST to it, as Haven will store and use it. The server
    sends to whatever address a browser gives, so only the push services' own hosts are
    accepted (a guard against request forgery towards the school's network): https on the
    default port, a known host spelt plainly (letters, digits, hyphens and dots), no
    credentials. Plain http, on any port, only for a loopback host named in
    HAVEN_PUSH_ENDPOINT_HOSTS (tests, development)."""
    if not endpoint.isascii() or not endpoint.isprintable() or " " in endpoint:
        raise refused("That push endpoint is not a valid address.")
    try:
        parts = urlsplit(endpoint)
        host, port = (parts.hostname or ""), parts.port
    except ValueError:
        raise refused("That push endpoint is not a valid address.") from None
    if parts.username or parts.password or parts.fragment or not _HOST_NAME.match(host):
        raise refused("That push endpoint is not a valid address.")
    if not _host_allowed(host, _hosts(settings)):
        raise refused(f"Haven sends alerts only to the browsers' push services; {host} is "
                      "not one of them (HAVEN_PUSH_ENDPOINT_HOSTS lists them).")
    scheme = parts.scheme.lower()
    if scheme == "https" and port in (None, 443):
        pass
    elif not (scheme == "http" and _is_loopback(host) and settings.push_endpoint_hosts):
        raise refused("A push endpoint must be an https:// address on the standard port.")
    netloc = host if port is None else f"{host}:{port}"
    return parts._replace(scheme=scheme, netloc=netloc).geturl()


def _decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def check_keys(p256dh: str, auth: str) -> None:
    """The subscription's keys: a P-256 public key (65 bytes, uncompressed) and a 16-byte
    authentication secret, both base64url. Raises APIError 400 VALIDATION_FAILED."""
    try:
        point, secret = _decode(p256dh), _decode(auth)
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except (binascii.Error, ValueError):
        point, secret = b"", b""
    if len(point) != 65 or len(secret) != 16:
        raise APIError(400, "VALIDATION_ERROR", "The subscription's keys are not valid: "
                       "keys.p256dh must be a P-256 public key and keys.auth 16 bytes, "
                       "both base64url, as the browser's PushSubscription gives them.")


def device_label(user_agent: str) -> str:
    """"Safari on iPhone", "Chrome on Android" ...: enough to tell one's devices apart."""
    agent = user_agent or ""
    platform = next((name for token, name in (
        ("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"),
        ("Windows", "Windows"), ("Macintosh", "Mac"), ("CrOS", "Chromebook"),
        ("Linux", "Linux")) if token in agent), "")
    browser = next((name for token, name in (
        ("Edg/", "Edge"), ("Firefox/", "Firefox"), ("FxiOS", "Firefox"), ("CriOS", "Chrome"),
        ("Chrome/", "Chrome"), ("Chromium/", "Chromium"), ("Safari/", "Safari"))
        if token in agent), "A browser")
    return f"{browser} on {platform}" if platform else browser


async def subscribe(session: Session, subscription: dict, *, settings: Settings,
                    user_agent: str = "") -> tuple[PushSubscription, bool]:
    """Keep a device's subscription for the signed-in person: (it, whether it is new).
    The same endpoint again updates it and moves it to this person and session (a shared
    iPad on which someone else signed in)."""
    endpoint = check_endpoint(subscription["endpoint"], settings)
    keys = subscription["keys"]
    check_keys(keys["p256dh"], keys["auth"])
    values = {"school_id": session.school_id, "user_id": session.user_id,
              "session_id": session.id, "p256dh": keys["p256dh"], "auth": keys["auth"],
              "label": device_label(user_agent)[:100]}
    found = await PushSubscription.get_or_none(endpoint=endpoint)
    if found is not None and (found.user_id, found.school_id) == (session.user_id,
                                                                  session.school_id):
        await PushSubscription.filter(id=found.id).update(**values)
        await found.refresh_from_db()
        return found, False
    if found is not None:
        # Someone else signed in on this device: a new row, so that pushes still queued
        # for the one before (held through quiet hours, waiting to retry) find their
        # device gone rather than reach this person.
        await PushSubscription.filter(id=found.id).delete()
    try:
        created = await PushSubscription.create(endpoint=endpoint, created_at=clock.now(),
                                                **values)
    except IntegrityError:  # the page and the service worker, at the same moment
        await PushSubscription.filter(endpoint=endpoint).update(**values)
        return await PushSubscription.get(endpoint=endpoint), False
    mine = PushSubscription.filter(user_id=session.user_id).order_by("-created_at", "-id")
    old = await mine.offset(MAX_DEVICES).values_list("id", flat=True)
    if old:
        await PushSubscription.filter(id__in=list(old)).delete()
    return created, True


async def unsubscribe(session: Session, endpoint: str) -> None:
    await PushSubscription.filter(endpoint=endpoint, user_id=session.user_id).delete()


async def devices(session: Session) -> list[dict]:
    found = await PushSubscription.filter(user_id=session.user_id).order_by("created_at", "id")
    return [device_json(s) for s in found]


def device_json(subscription: PushSubscription) -> dict:
    return {"id": subscription.id, "endpoint": subscription.endpoint,
            "label": subscription.label, "created_at": subscription.created_at}


# --- quiet hours ---------------------------------------------------------------------------


async def set_quiet_hours(session: Session, start: str | None, end: str | None) -> None:
    """Both "HH:MM" (checked by the route), or both None: off."""
    await User.filter(id=session.user_id).update(quiet_from=start, quiet_until=end)


def quiet_until(user: User, zone: str, moment: datetime) -> datetime | None:
    """When this person's quiet hours end, if `moment` falls in them; else None."""
    if not user.quiet_from or not user.quiet_until or user.quiet_from == user.quiet_until:
        return None
    start, end = time.fromisoformat(user.quiet_from), time.fromisoformat(user.quiet_until)
    local = moment.astimezone(ZoneInfo(zone))
    now = local.time()
    inside = start <= now < end if start < end else (now >= start or now < end)
    if not inside:
        return None
    ends = datetime.combine(local.date(), end, tzinfo=local.tzinfo)
    if ends <= local:
        ends = datetime.combine(local.date() + timedelta(days=1), end, tzinfo=local.tzinfo)
    return ends.astimezone(moment.tzinfo)


# --- queueing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Push:
    """What one alert says. `topic` collapses repeats at the push service (one incident's
    alerts replace each other); `urgent` comes through quiet hours."""

    kind: str  # incident, action, escalation or reminder
    body: str
    url: str
    topic: str
    urgent: bool = False
    title: str = "Haven"

    def payload(self) -> dict:
        return {"kind": self.kind, "title": self.title, "body": self.body, "url": self.url,
                "tag": self.topic}


def incident_url(incident_id: int) -> str:
    return f"/#incidents/{incident_id}"


async def enqueue(school: School, user_ids, push: Push) -> int:
    """Queue the push for every device of these people, in the caller's transaction (call
    outbox.notify() after the commit). Held until the end of a person's quiet hours
    unless urgent. Returns how many messages were queued."""
    user_ids = list(set(user_ids))
    if not user_ids:
        return 0
    devices = await PushSubscription.filter(user_id__in=user_ids).values_list("id", "user_id")
    if not devices:
        return 0
    moment = clock.now()
    held: dict[int, datetime | None] = {}
    if not push.urgent:
        zone = school.setting("timezone")
        for user in await User.filter(id__in=list({u for _, u in devices}),
                                      quiet_from__not_isnull=True):
            held[user.id] = quiet_until(user, zone, moment)
    payload = push.payload()
    await OutboxMessage.bulk_create([
        OutboxMessage(school_id=school.id, channel=Channel.PUSH, recipient=str(device_id),
                      payload={"push": payload, "topic": push.topic,
                               "urgency": "high", "urgent": push.urgent},
                      next_attempt_at=held.get(user_id) or moment)
        for device_id, user_id in devices])
    return len(devices)
