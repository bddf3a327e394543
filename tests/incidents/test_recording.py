import asyncio
from datetime import date, timedelta

import pytest

from haven import clock
from haven.alerts.models import Alert
from haven.audit.models import AuditEvent
from haven.incidents.models import Agency, Category, Incident
from haven.outbox.models import OutboxMessage
from haven.pupils.models import Pupil
from haven.schools.models import School
from tests.conftest import CSRF, elevate_directly, sign_in


@pytest.fixture
async def noah(oakfield):
    return await Pupil.create(school=oakfield.school, upn="U2", first_name="Noah",
                              last_name="Patel", date_of_birth=date(2014, 3, 1),
                              year_group="Year 7", form="7B")


async def _category(school, name):
    return (await Category.get(school=school, name=name)).id


async def _record(client, **body):
    return await client.post("/api/incidents", json=body, headers=CSRF)


@pytest.fixture
async def alice(client, oakfield):
    await sign_in(client, oakfield.alice)
    return client


async def test_a_member_of_staff_records_a_concern(alice, oakfield, amy, noah):
    response = await _record(
        alice, pupil_id=amy.id, category_ids=[await _category(oakfield.school, "Bullying")],
        account="Amy said Noah took her lunch again.",
        linked_pupils=[{"pupil_id": noah.id, "role": "alleged_perpetrator"}],
        agency_ids=[(await Agency.get(school=oakfield.school, name="School nurse")).id],
        body_map=[{"view": "front", "x": 0.4, "y": 0.3, "note": "scratch on arm"}],
    )
    assert response.status_code == 201, await response.get_json()
    body = await response.get_json()
    assert body["number"] == 1 and body["pupil"]["name"] == "Amy Jones"
    assert body["linked_pupils"] == [{"pupil": {"id": noah.id, "name": "Noah Patel",
                                                "year_group": "Year 7", "form": "7B"},
                                      "role": "alleged_perpetrator"}]
    assert body["body_map"][0]["note"] == "scratch on arm"
    assert body["author"]["name"] == "Alice Teacher"
    again = await _record(alice, pupil_id=amy.id, account="Again.",
                          category_ids=[await _category(oakfield.school, "Bullying")])
    assert (await again.get_json())["number"] == 2


async def test_the_slt_the_categorys_group_and_chosen_staff_are_alerted_never_the_author(
    alice, oakfield, amy
):
    await _record(alice, pupil_id=amy.id, account="Worried.",
                  category_ids=[await _category(oakfield.school, "Mental health")],
                  alert_user_ids=[oakfield.adam.id, oakfield.alice.id])
    why = dict(await Alert.all().values_list("recipient_id", "reason"))
    assert why == {oakfield.sam.id: "slt", oakfield.adam.id: "chosen"}


async def test_a_dsl_only_category_alerts_the_dsl_and_not_the_slt_automatically(
    alice, oakfield, amy
):
    await _record(alice, pupil_id=amy.id, account="A bruise.",
                  category_ids=[await _category(oakfield.school, "Physical abuse")])
    why = dict(await Alert.all().values_list("recipient_id", "reason"))
    assert why == {oakfield.dina.id: "category"}


async def test_alert_emails_name_who_and_the_category_but_never_the_pupil(alice, oakfield, amy):
    await _record(alice, pupil_id=amy.id, account="Amy was hungry again.",
                  category_ids=[await _category(oakfield.school, "Neglect")])
    email = await OutboxMessage.get(recipient=oakfield.dina.email)
    text = email.payload["subject"] + email.payload["body"]
    assert "Alice Teacher" in text and "Neglect" in text and "http://localhost/#/incidents/" in text
    assert "Amy" not in text and "Jones" not in text and "hungry" not in text


@pytest.mark.parametrize("change, code", [
    ({"account": "   "}, "ACCOUNT_REQUIRED"),
    ({"category_ids": []}, "VALIDATION_ERROR"),
    ({"category_ids": [999999]}, "UNKNOWN_CATEGORY"),
    ({"pupil_id": 999999}, "UNKNOWN_PUPIL"),
    ({"linked_pupils": [{"pupil_id": 0, "role": "bystander"}]}, "INVALID_ROLE"),
    ({"body_map": [{"view": "side", "x": 0.5, "y": 0.5}]}, "VALIDATION_ERROR"),
    ({"body_map": [{"view": "front", "x": 1.5, "y": 0.5}]}, "VALIDATION_ERROR"),
    ({"alert_user_ids": [424242]}, "UNKNOWN_STAFF"),
    ({"account": "x" * 20_001}, "VALIDATION_ERROR"),
])
async def test_a_bad_incident_is_refused_and_nothing_is_written(alice, oakfield, amy, change,
                                                                code):
    body = {"pupil_id": amy.id, "account": "Something happened.",
            "category_ids": [await _category(oakfield.school, "Bullying")], **change}
    response = await _record(alice, **body)
    assert (response.status_code, (await response.get_json())["code"]) == (400, code)
    assert await Incident.all().count() == 0 and await Alert.all().count() == 0


async def test_it_cannot_have_happened_in_the_future(alice, oakfield, amy):
    later = (clock.now() + timedelta(hours=1)).isoformat()
    response = await _record(alice, pupil_id=amy.id, account="x", occurred_at=later,
                             category_ids=[await _category(oakfield.school, "Bullying")])
    assert (await response.get_json())["code"] == "OCCURRED_IN_FUTURE"
    earlier = (clock.now() - timedelta(days=3)).isoformat()
    response = await _record(alice, pupil_id=amy.id, account="x", occurred_at=earlier,
                             category_ids=[await _category(oakfield.school, "Bullying")])
    assert response.status_code == 201


async def test_a_pupil_of_another_school_cannot_be_named(alice, oakfield, rita):
    theirs = await Pupil.create(school=await School.get(slug="riverside"), upn="R1",
                                first_name="Ria", last_name="Other",
                                date_of_birth=date(2014, 1, 1), year_group="Year 7")
    response = await _record(alice, pupil_id=theirs.id, account="x",
                             category_ids=[await _category(oakfield.school, "Bullying")])
    assert (await response.get_json())["code"] == "UNKNOWN_PUPIL"


async def test_numbers_stay_sequential_when_recorded_at_once(app, oakfield, amy):
    clients = [app.test_client() for _ in range(5)]
    for client in clients:
        await sign_in(client, oakfield.alice)
    bullying = await _category(oakfield.school, "Bullying")
    responses = await asyncio.gather(*(
        _record(c, pupil_id=amy.id, account="x", category_ids=[bullying]) for c in clients))
    numbers = [(await r.get_json())["number"] for r in responses]
    assert sorted(numbers) == [1, 2, 3, 4, 5]


async def _read(client, incident_id):
    return (await client.get(f"/api/incidents/{incident_id}")).status_code


async def test_who_may_read_an_incident(app, alice, oakfield, amy, rita):
    created = await (await _record(
        alice, pupil_id=amy.id, account="A bruise.",
        category_ids=[await _category(oakfield.school, "Physical abuse")])).get_json()
    incident_id = created["id"]
    assert await _read(alice, incident_id) == 200  # the author

    people = {}
    for name in ("dina", "sam", "adam"):
        people[name] = app.test_client()
        await sign_in(people[name], getattr(oakfield, name))
    other = app.test_client()
    await sign_in(other, rita)

    assert await _read(people["dina"], incident_id) == 200  # alerted
    assert await _read(people["sam"], incident_id) == 404   # SLT, not alerted, not elevated
    await elevate_directly(oakfield.sam.id)
    assert await _read(people["sam"], incident_id) == 404   # elevated, but DSL-only category
    assert await _read(people["adam"], incident_id) == 404  # administrators are not key holders
    assert await _read(other, incident_id) == 404           # another school
    assert await AuditEvent.filter(action="incident_viewed").count() == 2


async def test_an_elevated_key_holder_reads_unrestricted_incidents(app, alice, oakfield, amy):
    created = await (await _record(
        alice, pupil_id=amy.id, account="Upset.",
        category_ids=[await _category(oakfield.school, "Bullying")],
        alert_user_ids=[])).get_json()
    dina = app.test_client()
    await sign_in(dina, oakfield.dina)
    assert await _read(dina, created["id"]) == 404
    await elevate_directly(oakfield.dina.id)
    assert await _read(dina, created["id"]) == 200


async def test_alerts_are_shown_to_the_author_and_key_holders_only(app, alice, oakfield, amy):
    created = await (await _record(
        alice, pupil_id=amy.id, account="Worried.",
        category_ids=[await _category(oakfield.school, "Mental health")],
        alert_user_ids=[oakfield.adam.id])).get_json()
    assert {a["user"]["name"] for a in created["alerts"]} == {"Sam Senior", "Adam Office"}
    adam = app.test_client()
    await sign_in(adam, oakfield.adam)
    body = await (await adam.get(f"/api/incidents/{created['id']}")).get_json()
    assert body["alerts"] == []


async def test_there_is_no_route_to_edit_or_delete_an_incident(alice, oakfield, amy):
    created = await (await _record(alice, pupil_id=amy.id, account="x", category_ids=[
        await _category(oakfield.school, "Bullying")])).get_json()
    for method in ("PUT", "PATCH", "DELETE"):
        response = await alice.open(f"/api/incidents/{created['id']}", method=method,
                                    json={"account": "changed"}, headers=CSRF)
        assert response.status_code == 405
