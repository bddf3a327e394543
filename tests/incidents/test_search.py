"""GET /api/incidents: the key holders' search, and everyone's own recent records."""

from datetime import date, datetime, timezone

import pytest

from haven.audit.models import AuditEvent
from haven.incidents.models import Category
from haven.pupils.models import Pupil
from haven.accounts.models import Membership, Role
from haven.accounts.service import add_user
from haven.schools.service import add_school
from tests.conftest import CSRF, PASSWORD, Person, elevate_directly, sign_in


def _at(day: int) -> str:
    return datetime(2026, 10, day, 10, 0, tzinfo=timezone.utc).isoformat()


@pytest.fixture
async def records(app, oakfield):
    """Alice's records about Amy and Noah; Sam's one about Amy. Returns {label: number}."""
    school = oakfield.school
    amy, noah = [await Pupil.create(school=school, upn=upn, first_name=first, last_name=last,
                                    date_of_birth=date(2014, 9, 1), year_group="Year 7",
                                    form="7A")
                 for upn, first, last in (("U1", "Amy", "Jones"), ("U2", "Noah", "Patel"))]
    ids = {name: (await Category.get(school=school, name=name)).id
           for name in ("Bullying", "Online safety", "Neglect", "Attendance")}
    numbers = {}
    for person, label, body in (
        (oakfield.alice, "bullying", {"pupil_id": amy.id, "category_ids": [ids["Bullying"]],
                                      "account": "Noah pushed Amy in the lunch queue.",
                                      "linked_pupils": [{"pupil_id": noah.id,
                                                         "role": "alleged_perpetrator"}],
                                      "occurred_at": _at(1)}),
        (oakfield.alice, "online", {"pupil_id": noah.id, "category_ids": [ids["Online safety"]],
                                    "account": "Noah showed a video on his phone.",
                                    "occurred_at": _at(5)}),
        (oakfield.alice, "neglect", {"pupil_id": amy.id, "category_ids": [ids["Neglect"]],
                                     "account": "Amy came in hungry again.",
                                     "occurred_at": _at(9)}),
        (oakfield.sam, "attendance", {"pupil_id": amy.id, "category_ids": [ids["Attendance"]],
                                      "account": "Amy late every day this week.",
                                      "occurred_at": _at(12)}),
    ):
        client = app.test_client()
        await sign_in(client, person)
        response = await client.post("/api/incidents", json=body, headers=CSRF)
        assert response.status_code == 201, await response.get_json()
        numbers[label] = (await response.get_json())["number"]
    return {"numbers": numbers, "amy": amy, "noah": noah, "categories": ids}


async def _search(client, **query):
    response = await client.get("/api/incidents", query_string=query)
    assert response.status_code == 200, await response.get_json()
    body = await response.get_json()
    return [i["number"] for i in body["incidents"]], body


@pytest.fixture
async def dina(app, oakfield):
    client = app.test_client()
    await sign_in(client, oakfield.dina)
    await elevate_directly(oakfield.dina.id)
    return client


async def test_a_dsl_sees_every_incident_newest_first_without_the_account(dina, records):
    numbers, body = await _search(dina)
    n = records["numbers"]
    assert numbers == [n["attendance"], n["neglect"], n["online"], n["bullying"]]
    first = body["incidents"][0]
    assert first["pupil"]["name"] == "Amy Jones" and first["categories"] == ["Attendance"]
    assert first["author"]["name"] == "Sam Senior" and "account" not in first
    assert body["total"] == 4


async def test_the_slt_do_not_find_dsl_only_incidents(app, oakfield, records):
    sam = app.test_client()
    await sign_in(sam, oakfield.sam)
    await elevate_directly(oakfield.sam.id)
    numbers, _ = await _search(sam)
    assert records["numbers"]["neglect"] not in numbers and len(numbers) == 3


async def test_filters_by_pupil_linked_too_category_dates_and_words(dina, records):
    n = records["numbers"]
    assert (await _search(dina, pupil=records["noah"].id))[0] == [n["online"], n["bullying"]]
    assert (await _search(dina, category=records["categories"]["Bullying"]))[0] == [
        n["bullying"]]
    wellbeing = (await Category.get(name="Wellbeing", school_id=records["amy"].school_id)).id
    assert (await _search(dina, category=wellbeing))[0] == [n["attendance"]]
    assert (await _search(dina, **{"from": _at(4), "to": _at(10)}))[0] == [
        n["neglect"], n["online"]]
    assert (await _search(dina, q="AMY lunch"))[0] == [n["bullying"]]


async def test_results_come_in_pages(dina, records):
    numbers, body = await _search(dina, per_page=3, page=2)
    assert numbers == [records["numbers"]["bullying"]]
    assert (body["total"], body["page"], body["per_page"]) == (4, 2, 3)


async def test_a_search_is_audited_without_the_words(dina, records, oakfield):
    await _search(dina, q="hungry", pupil=records["amy"].id)
    event = await AuditEvent.filter(action="incidents_searched").first()
    assert event.actor_id == oakfield.dina.id
    assert event.detail["pupil"] == records["amy"].id and event.detail["words"] == 1
    assert "hungry" not in str(event.detail)


async def test_only_elevated_key_holders_search(app, oakfield, records):
    for person, code in ((oakfield.alice, "FORBIDDEN"), (oakfield.adam, "FORBIDDEN"),
                         (oakfield.dina, "ELEVATION_REQUIRED")):
        client = app.test_client()
        await sign_in(client, person)
        response = await client.get("/api/incidents")
        assert (response.status_code, (await response.get_json())["code"]) == (403, code)


async def test_everyone_sees_their_own_records_latest_first(app, oakfield, records, rita):
    alice = app.test_client()
    await sign_in(alice, oakfield.alice)
    n = records["numbers"]
    assert (await _search(alice, mine=1))[0] == [n["neglect"], n["online"], n["bullying"]]
    other = app.test_client()
    await sign_in(other, rita)
    assert (await _search(other, mine=1))[0] == []


async def test_another_schools_key_holder_finds_nothing_here(app, records):
    school = await add_school("Riverside School", "riverside")
    rob = await add_user(school, "rob@riverside.example", "Rob Lead", PASSWORD, ["dsl"])
    client = app.test_client()
    await sign_in(client, Person(rob.email, rob.name, rob.id))
    await elevate_directly(rob.id)
    assert (await _search(client))[0] == []
    assert (await _search(client, pupil=records["amy"].id))[0] == []


async def test_the_search_lists_exactly_what_the_person_may_open(app, oakfield, records):
    """One rule for both: every restricted category must allow one of the person's
    key-holder roles (staff or admin roles open nothing)."""
    school = oakfield.school
    staff_only = await Category.create(school=school, name="Staff room", visible_to_roles=["staff"])
    slt_only = await Category.create(school=school, name="SLT only", visible_to_roles=["slt"])
    dsl_only = (await Category.get(school=school, name="Neglect")).id
    alice = app.test_client()
    await sign_in(alice, oakfield.alice)
    made = {}
    for label, categories in (("staff room", [staff_only.id]),
                              ("both", [dsl_only, slt_only.id])):
        response = await alice.post("/api/incidents", headers=CSRF, json={
            "pupil_id": records["amy"].id, "category_ids": categories, "account": label})
        made[label] = await response.get_json()
    for person, roles in ((oakfield.dina, ["staff", "dsl"]), (oakfield.sam, ["staff", "slt"]),
                          (oakfield.sam, ["staff", "slt", "dsl"])):
        for role in roles:
            await Membership.get_or_create(school=school, user_id=person.id, role=Role(role))
        client = app.test_client()
        await sign_in(client, person)
        await elevate_directly(person.id)
        listed = set((await _search(client))[0])
        for created in made.values():
            opened = (await client.get(f"/api/incidents/{created['id']}")).status_code
            assert (created["number"] in listed) == (opened == 200), (person.name, roles,
                                                                       created["account"])
    assert made["both"]["number"] in listed  # Sam, now DSL and SLT, may see both
