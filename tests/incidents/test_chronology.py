from datetime import date, timedelta

import pytest

from haven import clock
from haven.audit.models import AuditEvent
from haven.incidents.models import Category
from haven.pupils.models import Pupil
from tests.conftest import CSRF, elevate_directly, sign_in


@pytest.fixture
async def story(app, client, oakfield):
    """Two concerns naming Amy (one as a witness), one about Noah, one DSL-only."""
    amy, noah = [await Pupil.create(school=oakfield.school, upn=u, first_name=f,
                                    last_name="Jones", date_of_birth=date(2014, 9, 1),
                                    year_group="Year 7", form="7A")
                 for u, f in (("U1", "Amy"), ("U2", "Noah"))]
    await sign_in(client, oakfield.alice)
    bullying = (await Category.get(school=oakfield.school, name="Bullying")).id
    neglect = (await Category.get(school=oakfield.school, name="Neglect")).id
    now = clock.now()

    async def record(pupil, account, category, days_ago, linked=()):
        response = await client.post("/api/incidents", headers=CSRF, json={
            "pupil_id": pupil.id, "account": account, "category_ids": [category],
            "occurred_at": (now - timedelta(days=days_ago)).isoformat(),
            "linked_pupils": [{"pupil_id": p.id, "role": r} for p, r in linked]})
        return (await response.get_json())["id"]

    first = await record(amy, "Amy upset at lunch.", bullying, 10)
    await record(noah, "Noah pushed Sam.", bullying, 5, linked=[(amy, "witness")])
    await record(noah, "Noah alone.", bullying, 3)
    await record(amy, "Amy hungry.", neglect, 1)
    await client.post(f"/api/incidents/{first}/actions", headers=CSRF,
                      json={"text": "Spoke to Amy's mother."})
    return amy


async def _chronology(client, pupil, **query):
    return await client.get(f"/api/pupils/{pupil.id}/chronology", query_string=query)


async def test_a_dsl_sees_every_entry_naming_the_pupil_in_order(app, story, oakfield):
    dina = app.test_client()
    await sign_in(dina, oakfield.dina)
    await elevate_directly(oakfield.dina.id)
    body = await (await _chronology(dina, story)).get_json()
    assert [(e["type"], e["text"][:12], e["role"]) for e in body["entries"]] == [
        ("incident", "Amy upset at", "subject"),
        ("incident", "Noah pushed ", "witness"),
        ("incident", "Amy hungry.", "subject"),
        ("action", "Spoke to Amy", None),  # recorded today, under the first
    ]
    assert await AuditEvent.filter(action="chronology_viewed").count() == 1


async def test_restricted_categories_are_left_out_for_other_roles(app, story, oakfield):
    sam = app.test_client()
    await sign_in(sam, oakfield.sam)
    await elevate_directly(oakfield.sam.id)
    texts = [e["text"] for e in (await (await _chronology(sam, story)).get_json())["entries"]]
    assert "Amy hungry." not in texts and "Amy upset at lunch." in texts


async def test_filters_and_pages(app, story, oakfield):
    dina = app.test_client()
    await sign_in(dina, oakfield.dina)
    await elevate_directly(oakfield.dina.id)
    neglect = (await Category.get(school=oakfield.school, name="Neglect")).id
    only = await (await _chronology(dina, story, category=neglect)).get_json()
    assert [e["text"] for e in only["entries"]] == ["Amy hungry."]
    since = (clock.now() - timedelta(days=6)).isoformat()
    recent = await (await _chronology(dina, story, **{"from": since})).get_json()
    # The range chooses incidents; each comes with its actions (the first has one).
    assert [e["text"][:4] for e in recent["entries"]] == ["Noah", "Amy "]
    paged = await (await _chronology(dina, story, per_page=3, page=2)).get_json()
    assert paged["total"] == 4 and len(paged["entries"]) == 1


async def test_staff_and_unelevated_key_holders_get_no_chronology(app, client, story,
                                                                  oakfield):
    assert (await _chronology(client, story)).status_code == 403
    dina = app.test_client()
    await sign_in(dina, oakfield.dina)
    response = await _chronology(dina, story)
    assert (await response.get_json())["code"] == "ELEVATION_REQUIRED"


async def test_another_schools_pupil_is_not_found(app, story, oakfield, rita):
    from haven.schools.models import School

    theirs = await Pupil.create(school=await School.get(slug="riverside"), upn="R1",
                                first_name="R", last_name="O", date_of_birth=date(2014, 1, 1),
                                year_group="Year 7")
    dina = app.test_client()
    await sign_in(dina, oakfield.dina)
    await elevate_directly(oakfield.dina.id)
    assert (await _chronology(dina, theirs)).status_code == 404
