"""POST/GET/DELETE /api/push/subscriptions and GET /api/push/key."""

import base64

import pytest

from haven.push.models import PushSubscription
from tests.conftest import CSRF, sign_in
from tests.push.helpers import alerts_on


async def test_the_public_key_is_the_vapid_key_as_a_browser_needs_it(client, oakfield):
    await sign_in(client, oakfield.alice)
    key = (await (await client.get("/api/push/key")).get_json())["public_key"]
    point = base64.urlsafe_b64decode(key + "=" * (-len(key) % 4))
    assert len(point) == 65 and point[0] == 4  # an uncompressed P-256 point


async def test_a_device_is_kept_listed_updated_and_removed(app, oakfield, push_service):
    subscription = push_service.subscription()
    dina = await alerts_on(app, oakfield.dina, subscription)
    body = await (await dina.get("/api/push/subscriptions")).get_json()
    (device,) = body["subscriptions"]
    assert device["endpoint"] == subscription["endpoint"]

    renewed = {**subscription, "keys": push_service.subscription()["keys"]}
    response = await dina.post("/api/push/subscriptions", headers={
        **CSRF, "User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0) Safari/604.1"},
        json=renewed)
    assert response.status_code == 200
    assert (await response.get_json())["label"] == "Safari on iPhone"
    assert await PushSubscription.all().count() == 1
    assert (await PushSubscription.get()).p256dh == renewed["keys"]["p256dh"]

    response = await dina.delete("/api/push/subscriptions", headers=CSRF,
                                 json={"endpoint": subscription["endpoint"]})
    assert response.status_code == 204
    assert await PushSubscription.all().count() == 0


async def test_a_device_moves_to_whoever_signs_in_on_it_without_what_was_queued(
        app, oakfield, amy, push_service, dispatcher):
    from haven.outbox.models import Channel, OutboxMessage, Status
    from tests.push.helpers import record

    subscription = push_service.subscription()
    await alerts_on(app, oakfield.dina, subscription)
    alice = app.test_client()
    await sign_in(alice, oakfield.alice)
    await record(alice, oakfield.school, amy, alert_user_ids=[oakfield.dina.id])  # queued
    sam = app.test_client()
    await sign_in(sam, oakfield.sam)
    response = await sam.post("/api/push/subscriptions", headers=CSRF, json=subscription)
    assert response.status_code == 201
    assert (await PushSubscription.get()).user_id == oakfield.sam.id
    await dispatcher.send_due()
    assert push_service.deliveries == []  # Dina's alert never reaches Sam's screen
    assert await OutboxMessage.filter(channel=Channel.PUSH, status=Status.FAILED).count() == 1


async def test_signing_out_stops_that_devices_alerts_only(app, oakfield, push_service):
    phone, desk = push_service.subscription(), push_service.subscription()
    dina_phone = await alerts_on(app, oakfield.dina, phone)
    await alerts_on(app, oakfield.dina, desk)
    await dina_phone.delete("/api/session", headers=CSRF)
    assert [s.endpoint for s in await PushSubscription.all()] == [desk["endpoint"]]


async def test_a_disabled_account_gets_no_more_alerts(app, adam, oakfield, push_service):
    await alerts_on(app, oakfield.alice, push_service.subscription())
    response = await adam.put(f"/api/admin/users/{oakfield.alice.id}/active", headers=CSRF,
                              json={"active": False})
    assert response.status_code == 200
    assert await PushSubscription.all().count() == 0


async def test_nobody_can_remove_someone_elses_device(app, oakfield, push_service):
    subscription = push_service.subscription()
    await alerts_on(app, oakfield.dina, subscription)
    alice = app.test_client()
    await sign_in(alice, oakfield.alice)
    await alice.delete("/api/push/subscriptions", headers=CSRF,
                       json={"endpoint": subscription["endpoint"]})
    assert await PushSubscription.all().count() == 1
    assert (await (await alice.get("/api/push/subscriptions")).get_json()) == {
        "subscriptions": []}


async def test_the_oldest_devices_go_past_ten(app, oakfield, push_service):
    first = push_service.subscription()
    dina = await alerts_on(app, oakfield.dina, first)
    for _ in range(10):
        await dina.post("/api/push/subscriptions", headers=CSRF,
                        json=push_service.subscription())
    endpoints = {s.endpoint for s in await PushSubscription.all()}
    assert len(endpoints) == 10 and first["endpoint"] not in endpoints


@pytest.mark.parametrize("endpoint", [
    "https://push.evil.example/send/1",          # not a push service
    "https://127.0.0.1.evil.example/x",          # a look-alike
    "ftp://127.0.0.1/x",
    "https://user:pass@127.0.0.1/x",
    "not a url",
    "http://127.0.0.1\u2024evil/x",
    "http://127.0.0.1:99999/x",
    "https://" + "\u4e2d" * 900,
])
async def test_only_push_services_may_be_named(app, oakfield, endpoint, push_service):
    await sign_in(client := app.test_client(), oakfield.alice)
    keys = push_service.subscription()["keys"]
    response = await client.post("/api/push/subscriptions", headers=CSRF,
                                 json={"endpoint": endpoint, "keys": keys})
    assert response.status_code == 400
    assert (await response.get_json())["code"] == "PUSH_ENDPOINT_REFUSED"


@pytest.mark.parametrize("keys", [
    {"p256dh": "AAAA", "auth": "AAAAAAAAAAAAAAAAAAAAAA"},
    {"p256dh": "BAD!", "auth": "AAAAAAAAAAAAAAAAAAAAAA"},
    {"p256dh": None, "auth": "x"},
    {},
])
async def test_bad_keys_are_refused_clearly(app, oakfield, keys, push_service):
    await sign_in(client := app.test_client(), oakfield.alice)
    endpoint = push_service.subscription()["endpoint"]
    good = push_service.subscription()["keys"]
    response = await client.post("/api/push/subscriptions", headers=CSRF, json={
        "endpoint": endpoint, "keys": keys if keys.get("p256dh") != "AAAA" else
        {**good, "p256dh": "AAAA"}})
    assert response.status_code == 400
    assert (await response.get_json())["code"] == "VALIDATION_ERROR"
    assert await PushSubscription.all().count() == 0


def test_the_default_hosts_are_the_browsers_push_services():
    from haven.config import load_settings
    from haven.errors import APIError
    from haven.push.service import check_endpoint

    default = load_settings(_env_file=None)
    for endpoint in ("https://fcm.googleapis.com/fcm/send/abc",
                     "https://updates.push.services.mozilla.com/wpush/v2/abc",
                     "https://web.push.apple.com/QGd2",
                     "https://wns2-by3p.notify.windows.com/w/?token=abc"):
        assert check_endpoint(endpoint, default) == endpoint
    assert check_endpoint("HTTPS://FCM.googleapis.com/fcm/send/AbC", default) == \
        "https://fcm.googleapis.com/fcm/send/AbC"
    for endpoint in ("http://fcm.googleapis.com/fcm/send/abc",   # not https
                     "http://127.0.0.1:9000/push/abc",           # loopback, not named
                     "https://notify.windows.com.evil.example/x",
                     "https://evilnotify.windows.com/x",
                     "https://127.0.0.1\x00.notify.windows.com/x",  # NUL ends the lookup
                     "https://a%2fb.notify.windows.com/x",
                     "https://fcm.googleapis.com:22/fcm/send/abc"):  # another port
        with pytest.raises(APIError):
            check_endpoint(endpoint, default)
