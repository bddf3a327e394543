"""The two push services the push tests rely on, tested on their own with pywebpush.

If PushService accepted what a real service refuses, Haven's push tests would pass for a
sender that fails in production; if web-push-testing could not be driven, the comparison
with an independent implementation would be lost. Nothing here uses Haven's code.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid
from py_vapid.jwt import sign as sign_jwt
from pywebpush import WebPusher, WebPushException, webpush_async

from tests.push.service import HANG, PushService, b64url_decode, b64url_encode
from tests.push.web_push_testing import run_for_test

SUB = "mailto:dsl@oakfield.example"
TWELVE_HOURS = 12 * 3600
# web-push-testing reads no other body type; aiohttp (pywebpush's client) sends it anyway.
OCTETS = {"Content-Type": "application/octet-stream"}


@pytest.fixture
async def push_service():
    async with PushService() as service:
        yield service


@pytest.fixture
async def web_push_testing():
    async with run_for_test() as push:
        yield push


def new_vapid() -> Vapid:
    vapid = Vapid()
    vapid.generate_keys()
    return vapid


@pytest.fixture
def vapid() -> Vapid:
    return new_vapid()


def application_server_key(vapid: Vapid) -> str:
    """The VAPID public key as the PWA passes it to pushManager.subscribe."""
    return b64url_encode(vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    ))


async def send(subscription: dict, vapid: Vapid, message: Any, **options: Any):
    """Send as a server should: VAPID, aes128gcm, a TTL and an Urgency."""
    headers = {"Urgency": "high", **options.pop("headers", {})}
    return await webpush_async(
        subscription, json.dumps(message), vapid_private_key=vapid,
        vapid_claims={"sub": SUB, **options.pop("claims", {})},
        content_encoding="aes128gcm", ttl=options.pop("ttl", 3600), headers=headers,
        **options,
    )


# --- the fake service: what it accepts and records ----------------------------------------


def test_a_subscription_is_what_a_browser_gives(push_service):
    subscription = push_service.subscription()
    assert set(subscription) == {"endpoint", "expirationTime", "keys"}
    assert subscription["endpoint"].startswith(f"{push_service.origin}/push/")
    assert subscription["expirationTime"] is None
    p256dh, auth = subscription["keys"]["p256dh"], subscription["keys"]["auth"]
    assert "=" not in p256dh + auth
    assert len(b64url_decode(p256dh)) == 65 and b64url_decode(p256dh)[0] == 4
    assert len(b64url_decode(auth)) == 16
    another = push_service.subscription()
    assert another["endpoint"] != subscription["endpoint"]
    assert another["keys"] != subscription["keys"]


async def test_a_push_arrives_decrypted_with_its_headers_and_claims(push_service, vapid):
    subscription = push_service.subscription()
    message = {"title": "New concern", "url": "/incidents/42"}
    response = await send(subscription, vapid, message, ttl=600,
                          headers={"Urgency": "high", "Topic": "incident-42"})
    assert response.status == 201
    [delivery] = await push_service.wait_for(1)
    assert delivery.endpoint == subscription["endpoint"]
    assert delivery.json == message and delivery.payload == json.dumps(message).encode()
    assert (delivery.ttl, delivery.urgency, delivery.topic) == (600, "high", "incident-42")
    assert delivery.headers["content-encoding"] == "aes128gcm"
    assert delivery.claims["aud"] == push_service.origin
    assert delivery.claims["sub"] == SUB
    assert 0 < delivery.claims["exp"] - delivery.received_at <= TWELVE_HOURS
    assert delivery.vapid_key == application_server_key(vapid)
    assert delivery.status == 201
    assert push_service.rejected == []


async def test_a_payload_that_is_not_json_is_kept_as_bytes(push_service, vapid):
    subscription = push_service.subscription()
    await webpush_async(subscription, "plain words", vapid_private_key=vapid,
                        vapid_claims={"sub": SUB}, ttl=0, headers={"Urgency": "low"})
    [delivery] = await push_service.wait_for(1)
    assert (delivery.payload, delivery.json, delivery.ttl) == (b"plain words", None, 0)
    assert delivery.topic is None


async def test_wait_for_returns_once_every_push_has_arrived(push_service, vapid):
    subscriptions = [push_service.subscription() for _ in range(20)]
    sending = asyncio.gather(*(send(s, vapid, {"n": n}) for n, s in enumerate(subscriptions)))
    deliveries = await push_service.wait_for(20)
    await sending
    assert sorted(delivery.json["n"] for delivery in deliveries) == list(range(20))


async def test_wait_for_times_out_saying_what_was_rejected(push_service, vapid):
    subscription = push_service.subscription()
    with pytest.raises(WebPushException):
        await send(subscription, vapid, {}, claims={"aud": "http://127.0.0.1:1"})
    with pytest.raises(TimeoutError, match=r"0 of 1 push deliveries .* aud"):
        await push_service.wait_for(1, timeout=0.1)


# --- the fake service: what it refuses ----------------------------------------------------


@dataclass
class RawPush:
    """A push request built by hand, so that a test can spoil one part of it."""

    url: str
    subscription: dict
    signer: Vapid
    key: str  # the k= of the Authorization header
    claims: dict[str, Any]
    headers: dict[str, str | None]  # None: leave the header out
    payload: bytes = b'{"title": "New concern"}'
    body: bytes | None = None  # None: the payload, encrypted for the subscription

    async def post(self) -> int:
        body = self.body
        if body is None:
            body = WebPusher(self.subscription).encode(self.payload, "aes128gcm")["body"]
        headers = {
            "Authorization": f"vapid t={sign_jwt(self.claims, self.signer.private_key)}, "
                             f"k={self.key}",
            "TTL": "60", "Urgency": "normal", "Content-Encoding": "aes128gcm",
            "Content-Type": "application/octet-stream",
        }
        headers.update(self.headers)
        sent = {name: value for name, value in headers.items() if value is not None}
        left_out = [name for name, value in headers.items() if value is None]
        async with (
            aiohttp.ClientSession(skip_auto_headers=left_out) as http,
            http.post(self.url, data=body, headers=sent) as response,
        ):
            return response.status


def spoil_body(push: RawPush) -> None:
    body = bytearray(WebPusher(push.subscription).encode(push.payload, "aes128gcm")["body"])
    body[-1] ^= 1
    push.body = bytes(body)


REFUSALS: dict[str, tuple[Callable[[RawPush], Any], int, str]] = {
    "no Authorization": (lambda p: p.headers.update(Authorization=None), 401, "Authorization"),
    "Authorization: WebPush": (
        lambda p: p.headers.update(Authorization="WebPush abc"), 401, "scheme"),
    "signed by another key": (lambda p: setattr(p, "signer", new_vapid()), 401, "signature"),
    "aud of another origin": (
        lambda p: p.claims.update(aud="https://push.example"), 401, "aud"),
    "expired": (lambda p: p.claims.update(exp=int(time.time()) - 60), 401, "expired"),
    "exp over 24 h ahead": (
        lambda p: p.claims.update(exp=int(time.time()) + 25 * 3600), 401, "24 h"),
    "sub not a URL": (lambda p: p.claims.update(sub="dsl@oakfield.example"), 401, "sub"),
    "no TTL": (lambda p: p.headers.update(TTL=None), 400, "TTL"),
    "negative TTL": (lambda p: p.headers.update(TTL="-1"), 400, "TTL"),
    "no Urgency": (lambda p: p.headers.update(Urgency=None), 400, "Urgency"),
    "Urgency urgent": (lambda p: p.headers.update(Urgency="urgent"), 400, "Urgency"),
    "Topic of 33": (lambda p: p.headers.update(Topic="t" * 33), 400, "Topic"),
    "Content-Encoding aesgcm": (
        lambda p: p.headers.update({"Content-Encoding": "aesgcm"}), 400, "Content-Encoding"),
    "tampered body": (spoil_body, 400, "decrypt"),
    "body over 4096 bytes": (lambda p: setattr(p, "body", os.urandom(4097)), 413, "4096"),
    "unknown endpoint": (
        lambda p: setattr(p, "url", p.url.rsplit("/", 1)[0] + "/nobody"), 404, "subscription"),
}


@pytest.mark.parametrize("refusal", REFUSALS)
async def test_a_request_failing_a_check_is_refused_and_recorded(push_service, refusal):
    spoil, status, reason = REFUSALS[refusal]
    subscription = push_service.subscription()
    signer = new_vapid()
    push = RawPush(
        url=subscription["endpoint"], subscription=subscription, signer=signer,
        key=application_server_key(signer),
        claims={"aud": push_service.origin, "exp": int(time.time()) + 3600, "sub": SUB},
        headers={},
    )
    assert await push.post() == 201, push_service.rejected  # the unspoilt request passes
    spoil(push)
    assert await push.post() == status
    [rejection] = push_service.rejected
    assert rejection.status == status and reason in rejection.reason
    assert len(push_service.deliveries) == 1


async def test_a_key_other_than_the_subscriptions_is_forbidden(push_service, vapid):
    subscription = push_service.subscription(application_server_key=application_server_key(vapid))
    await send(subscription, vapid, {"n": 1})
    with pytest.raises(WebPushException) as refused:
        await send(subscription, new_vapid(), {"n": 2})
    assert refused.value.status_code == 403
    assert [delivery.json for delivery in push_service.deliveries] == [{"n": 1}]
    assert "other than the subscription's" in push_service.rejected[0].reason


async def test_pywebpush_with_a_wrong_aud_is_refused(push_service, vapid):
    subscription = push_service.subscription()
    with pytest.raises(WebPushException) as refused:
        await send(subscription, vapid, {}, claims={"aud": "http://127.0.0.1:1"})
    assert refused.value.status_code == 401
    assert push_service.deliveries == []


# --- the fake service: the answers a test chooses -----------------------------------------


@pytest.mark.parametrize("status", [404, 410, 500])
async def test_an_endpoint_answers_as_configured_and_still_records(push_service, vapid, status):
    subscription = push_service.subscription(respond=status)
    with pytest.raises(WebPushException) as failure:
        await send(subscription, vapid, {"n": 1})
    assert failure.value.status_code == status
    [delivery] = push_service.deliveries
    assert (delivery.status, delivery.json) == (status, {"n": 1})
    assert push_service.rejected == []


async def test_429_carries_retry_after(push_service, vapid):
    subscription = push_service.subscription()
    await send(subscription, vapid, {"n": 1})
    push_service.set_response(subscription["endpoint"], 429, retry_after=30)
    with pytest.raises(WebPushException) as failure:
        await send(subscription, vapid, {"n": 2})
    assert (failure.value.status_code, failure.value.retry_after) == (429, "30")
    push_service.set_response(subscription["endpoint"], 201)
    await send(subscription, vapid, {"n": 3})
    assert [d.status for d in push_service.deliveries] == [201, 429, 201]


async def test_a_hanging_endpoint_makes_the_sender_time_out(push_service, vapid):
    subscription = push_service.subscription(respond=HANG)
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        await send(subscription, vapid, {"n": 1}, timeout=0.3)
    assert time.monotonic() - started < 2
    [delivery] = push_service.deliveries
    assert (delivery.status, delivery.json) == (None, {"n": 1})


async def test_stopping_releases_a_request_still_hanging(vapid):
    service = PushService()
    await service.start()
    subscription = service.subscription(respond=HANG)
    sending = asyncio.create_task(send(subscription, vapid, {}))
    await service.wait_for(1)
    started = time.monotonic()
    await service.stop()
    with pytest.raises(WebPushException) as released:
        await sending
    assert released.value.status_code == 503
    assert time.monotonic() - started < 2


# --- web-push-testing, the independent implementation -------------------------------------


async def test_web_push_testing_round_trip_then_410_once_expired(web_push_testing, vapid):
    subscription = await web_push_testing.subscribe(application_server_key(vapid))
    assert subscription["endpoint"].startswith(f"{web_push_testing.origin}/notify/")
    assert set(subscription["keys"]) == {"p256dh", "auth"}
    message = {"title": "New concern", "url": "/incidents/42"}
    response = await send(subscription, vapid, message, headers=OCTETS)
    assert response.status == 201
    assert await web_push_testing.notifications(subscription) == [json.dumps(message)]
    await web_push_testing.expire(subscription)
    with pytest.raises(WebPushException) as gone:
        await send(subscription, vapid, {"n": 2}, headers=OCTETS)
    assert gone.value.status_code == 410
    assert await web_push_testing.notifications(subscription) == [json.dumps(message)]


async def test_web_push_testing_needs_content_type_octet_stream(web_push_testing, vapid):
    """Documents the tool's demand: without the header its body parser reads nothing."""
    subscription = await web_push_testing.subscribe(application_server_key(vapid))
    push = RawPush(
        url=subscription["endpoint"], subscription=subscription, signer=vapid,
        key=application_server_key(vapid),
        claims={"aud": web_push_testing.origin, "exp": int(time.time()) + 3600, "sub": SUB},
        headers={"Content-Type": None},
    )
    assert await push.post() == 400
    push.headers = {}
    assert await push.post() == 201
    assert await web_push_testing.notifications(subscription) == ['{"title": "New concern"}']


async def test_web_push_testing_refuses_another_servers_key(web_push_testing, vapid):
    subscription = await web_push_testing.subscribe(application_server_key(vapid))
    with pytest.raises(WebPushException) as refused:
        await send(subscription, new_vapid(), {}, headers=OCTETS)
    assert refused.value.status_code == 400
    assert await web_push_testing.notifications(subscription) == []
