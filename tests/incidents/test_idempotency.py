import asyncio
from datetime import timedelta

import pytest

from haven import clock
from haven.alerts.models import Alert
from haven.incidents.models import Action, Category, IdempotencyRecord, Incident
from haven.outbox.models import OutboxMessage
from tests.conftest import CSRF, sign_in


@pytest.fixture
async def body(oakfield, amy):
    neglect = await Category.get(school=oakfield.school, name="Neglect")
    return {"pupil_id": amy.id, "account": "Written offline on the trip.",
            "category_ids": [neglect.id]}


def _key(value):
    return {**CSRF, "Idempotency-Key": value}


async def test_the_same_submission_twice_is_recorded_once(client, oakfield, body):
    await sign_in(client, oakfield.alice)
    first = await client.post("/api/incidents", json=body, headers=_key("k-1"))
    again = await client.post("/api/incidents", json=body, headers=_key("k-1"))
    assert first.status_code == again.status_code == 201
    assert (await first.get_json())["id"] == (await again.get_json())["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert await Incident.all().count() == 1
    assert await Alert.all().count() == 1 and await OutboxMessage.all().count() == 1


async def test_the_same_key_with_another_body_is_a_422(client, oakfield, body):
    await sign_in(client, oakfield.alice)
    await client.post("/api/incidents", json=body, headers=_key("k-2"))
    other = await client.post("/api/incidents", json={**body, "account": "Different."},
                              headers=_key("k-2"))
    assert (other.status_code, (await other.get_json())["code"]) == (
        422, "IDEMPOTENCY_KEY_REUSED")
    assert await Incident.all().count() == 1


async def test_simultaneous_duplicates_create_exactly_one_incident(app, oakfield, body):
    clients = [app.test_client() for _ in range(4)]
    for client in clients:
        await sign_in(client, oakfield.alice)
    responses = await asyncio.gather(*(
        c.post("/api/incidents", json=body, headers=_key("k-3")) for c in clients))
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(201) >= 1 and set(statuses) <= {201, 409}
    assert await Incident.all().count() == 1
    in_flight = [r for r in responses if r.status_code == 409]
    assert all(r.headers["Retry-After"] == "1" for r in in_flight)


async def test_a_refused_submission_releases_its_key_for_the_corrected_one(client, oakfield,
                                                                          body):
    await sign_in(client, oakfield.alice)
    bad = await client.post("/api/incidents", json={**body, "account": " "},
                            headers=_key("k-4"))
    assert bad.status_code == 400
    fixed = await client.post("/api/incidents", json=body, headers=_key("k-4"))
    assert fixed.status_code == 201


async def test_keys_belong_to_one_person(app, client, oakfield, body):
    await sign_in(client, oakfield.alice)
    await client.post("/api/incidents", json=body, headers=_key("shared"))
    dina = app.test_client()
    await sign_in(dina, oakfield.dina)
    response = await dina.post("/api/incidents", json=body, headers=_key("shared"))
    assert response.status_code == 201 and "Idempotent-Replayed" not in response.headers
    assert await Incident.all().count() == 2


async def test_keys_are_kept_thirty_days(client, oakfield, body, frozen_clock):
    await sign_in(client, oakfield.alice)
    await client.post("/api/incidents", json=body, headers=_key("k-5"))
    frozen_clock.advance(days=29)
    await IdempotencyRecord.filter(key="k-5").update(created_at=clock.now() - timedelta(days=29))
    await client.post("/api/incidents", json=body, headers=_key("other"))
    assert await IdempotencyRecord.filter(key="k-5").exists()


async def test_an_action_sent_twice_is_added_once(client, oakfield, body):
    await sign_in(client, oakfield.alice)
    incident = await (await client.post("/api/incidents", json=body, headers=CSRF)).get_json()
    path = f"/api/incidents/{incident['id']}/actions"
    first = await client.post(path, json={"text": "Called home."}, headers=_key("a-1"))
    again = await client.post(path, json={"text": "Called home."}, headers=_key("a-1"))
    assert (await first.get_json())["id"] == (await again.get_json())["id"]
    assert await Action.all().count() == 1


@pytest.mark.parametrize("key", ["", "x" * 101, "tab\there"])
async def test_a_malformed_key_is_refused(client, oakfield, body, key):
    await sign_in(client, oakfield.alice)
    response = await client.post("/api/incidents", json=body, headers=_key(key))
    assert response.status_code == 400
    assert await Incident.all().count() == 0
