import pytest
from tortoise import connections

from haven.alerts.models import Alert
from haven.incidents.models import Action, Agency, Category
from haven.outbox.models import OutboxMessage
from tests.conftest import CSRF, elevate_directly, sign_in


@pytest.fixture
async def incident_id(client, oakfield, amy):
    await sign_in(client, oakfield.alice)
    bullying = await Category.get(school=oakfield.school, name="Bullying")
    response = await client.post("/api/incidents", headers=CSRF, json={
        "pupil_id": amy.id, "account": "Pushed in the lunch queue.",
        "category_ids": [bullying.id]})
    return (await response.get_json())["id"]


async def _act(client, incident_id, **body):
    return await client.post(f"/api/incidents/{incident_id}/actions", headers=CSRF, json=body)


async def test_the_author_adds_a_follow_up_that_shows_in_order(client, incident_id, oakfield):
    nurse = await Agency.get(school=oakfield.school, name="School nurse")
    first = await _act(client, incident_id, text="Spoke to Amy at break.")
    second = await _act(client, incident_id, text="Referred to the nurse.",
                        agency_ids=[nurse.id])
    assert first.status_code == second.status_code == 201
    body = await (await client.get(f"/api/incidents/{incident_id}")).get_json()
    assert [a["text"] for a in body["actions"]] == ["Spoke to Amy at break.",
                                                    "Referred to the nurse."]
    assert body["actions"][1]["agency_ids"] == [nurse.id] and not body["entered_in_error"]


async def test_an_action_alerts_the_staff_chosen_again_as_unread(app, client, incident_id,
                                                                 oakfield):
    await Alert.filter(incident_id=incident_id).update(read_at=None)
    sam = app.test_client()
    await sign_in(sam, oakfield.sam)
    await sam.post(f"/api/incidents/{incident_id}/read", headers=CSRF)
    await _act(client, incident_id, text="It happened again.",
               alert_user_ids=[oakfield.sam.id, oakfield.dina.id])
    unread = await (await sam.get("/api/alerts?unread=1")).get_json()
    assert [a["incident_id"] for a in unread["alerts"]] == [incident_id]
    assert await Alert.filter(incident_id=incident_id, recipient_id=oakfield.dina.id).exists()
    emails = [m.payload["subject"] for m in await OutboxMessage.filter(
        recipient=oakfield.dina.email)]
    assert emails == ["Haven: new action on a concern"]


async def test_someone_who_may_not_read_the_incident_cannot_add_to_it(app, incident_id,
                                                                     oakfield):
    adam = app.test_client()
    await sign_in(adam, oakfield.adam)
    response = await _act(adam, incident_id, text="Hello.")
    assert response.status_code == 404 and await Action.all().count() == 0


async def test_only_an_elevated_key_holder_marks_it_entered_in_error(app, client, incident_id,
                                                                     oakfield):
    refused = await _act(client, incident_id, text="Wrong child.", kind="entered_in_error")
    assert (await refused.get_json())["code"] == "KEY_HOLDER_REQUIRED"
    sam = app.test_client()
    await sign_in(sam, oakfield.sam)
    asked = await _act(sam, incident_id, text="Wrong child.", kind="entered_in_error")
    assert (await asked.get_json())["code"] == "ELEVATION_REQUIRED"  # the app asks for a code
    await elevate_directly(oakfield.sam.id)
    done = await _act(sam, incident_id, text="Recorded against the wrong child.",
                      kind="entered_in_error")
    assert done.status_code == 201
    body = await (await client.get(f"/api/incidents/{incident_id}")).get_json()
    assert body["entered_in_error"] is True and body["account"] == "Pushed in the lunch queue."


async def test_an_empty_action_or_unknown_agency_is_refused(client, incident_id):
    assert (await (await _act(client, incident_id, text="  ")).get_json())["code"] == \
        "TEXT_REQUIRED"
    assert (await (await _act(client, incident_id, text="x", agency_ids=[99999])).get_json()
            )["code"] == "UNKNOWN_AGENCY"


async def test_actions_cannot_be_changed_even_by_sql(client, incident_id):
    await _act(client, incident_id, text="Spoke to Amy.")
    for statement in ("UPDATE incident_action SET text = 'x'", "DELETE FROM incident_action"):
        with pytest.raises(Exception, match="append-only"):
            await connections.get("default").execute_query(statement)
    assert await Action.filter(text="Spoke to Amy.").exists()
