"""The push channel of the outbox: sends one queued push to one device with pywebpush.

RFC 8030 (Web Push), RFC 8291 (the payload encrypted for the device, aes128gcm) and
RFC 8292 (VAPID: the server signs a token that the push service checks). What the push
service answers decides what happens to the message (see `send`).
"""

from __future__ import annotations

import json
import logging
import time
from datetime import timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import aiohttp
from py_vapid import Vapid02
from pywebpush import WebPusher

from haven import clock
from haven.config import Settings
from haven.keys import load_vapid_private_key
from haven.outbox.email import SendFailed
from haven.push.models import PushSubscription

log = logging.getLogger("haven.push")

# RFC 8292 allows up to 24 hours; the issue asks for at most 12. A token is made once an
# hour per push service and used for the hour, so every token sent has 11 to 12 hours left.
TOKEN_LIFETIME = timedelta(hours=12)
TOKEN_REUSE = timedelta(hours=1)
# Connections kept to one push service (the dispatcher bounds the pushes in flight).
CONNECTIONS = 50
TIMEOUT_SECONDS = 30


class PushSender:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._vapid = Vapid02(load_vapid_private_key(settings.data_dir))
        self._tokens: dict[str, tuple[float, dict]] = {}
        self._session: aiohttp.ClientSession | None = None
        self.timeout = TIMEOUT_SECONDS

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _http(self) -> aiohttp.ClientSession:
        # One session for every push: connections to a push service are kept and reused.
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit_per_host=CONNECTIONS),
            )
        return self._session

    def _vapid_headers(self, endpoint: str) -> dict:
        parts = urlsplit(endpoint)
        audience = f"{parts.scheme}://{parts.netloc}"
        now = time.time()
        made = self._tokens.get(audience)
        if made is None or now - made[0] >= TOKEN_REUSE.total_seconds():
            claims = {"aud": audience, "sub": self.settings.vapid_subject,
                      "exp": int(now + TOKEN_LIFETIME.total_seconds())}
            made = self._tokens[audience] = (now, self._vapid.sign(claims))
        return dict(made[1])

    async def send(self, recipient: str, payload: dict) -> None:
        """Send to the device `recipient` (a PushSubscription id). Raises SendFailed:
        404 and 410 mean the device has gone, so its subscription is deleted and the
        message given up; 429 and 5xx are tried again later, no sooner than a Retry-After;
        another 4xx is given up; a network error or timeout is tried again."""
        device = await PushSubscription.get_or_none(id=int(recipient))
        if device is None:
            raise SendFailed("the device no longer takes alerts (signed out or expired)",
                             permanent=True)
        headers = {**self._vapid_headers(device.endpoint), "Urgency": payload["urgency"],
                   "Topic": payload["topic"]}
        data = json.dumps(payload["push"], separators=(",", ":"))
        pusher = WebPusher({"endpoint": device.endpoint,
                            "keys": {"p256dh": device.p256dh, "auth": device.auth}},
                           aiohttp_session=_NoRedirects(self._http()))
        try:
            response = await pusher.send_async(
                data, headers, ttl=self.settings.push_ttl_hours * 3600,
                content_encoding="aes128gcm",
                timeout=aiohttp.ClientTimeout(total=self.timeout))
        except (aiohttp.ClientError, OSError, TimeoutError) as error:
            raise SendFailed(f"{type(error).__name__}: {error}") from error
        status = response.status
        if status in (200, 201, 202):
            return
        if status in (404, 410):
            await PushSubscription.filter(id=device.id, endpoint=device.endpoint).delete()
            log.info("push subscription %s has expired (%s): deleted", device.id, status)
            raise SendFailed(f"the push service says the device has gone ({status}); its "
                             "subscription was deleted", permanent=True)
        if 300 <= status < 400:  # never followed: a push service does not redirect
            raise SendFailed(f"push service answered a redirect ({status})", permanent=True)
        if status == 429 or status >= 500:
            raise SendFailed(f"push service answered {status}",
                             retry_after=_retry_after(response.headers.get("Retry-After")))
        raise SendFailed(f"push service refused the message: {status}", permanent=True)


class _NoRedirects:
    """The session as pywebpush sees it: its POSTs never follow a redirect, which would
    carry the message to an address nobody checked."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self._session = session

    async def post(self, url, **options):
        return await self._session.post(url, allow_redirects=False, **options)


def _retry_after(value: str | None) -> timedelta | None:
    """Retry-After as seconds or an HTTP date (RFC 9110 10.2.3), at most a day."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(timedelta(seconds=int(value)), timedelta(days=1))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return min(max(when - clock.now(), timedelta(0)), timedelta(days=1))
