"""GET /api/staff: the names a member of staff picks from to alert someone."""

from haven.schools.models import School
from tests.conftest import sign_in


async def _colleagues(client, query=""):
    response = await client.get(f"/api/staff?q={query}")
    assert response.status_code == 200
    return await response.get_json()


async def test_staff_see_their_colleagues_by_name_but_not_themselves(client, oakfield, rita):
    await sign_in(client, oakfield.alice)
    body = await _colleagues(client)
    assert [p["name"] for p in body["staff"]] == ["Adam Office", "Dina Safeguard", "Sam Senior"]
    dina = body["staff"][1]
    assert dina == {"id": oakfield.dina.id, "name": "Dina Safeguard", "roles": ["dsl", "staff"]}


async def test_the_search_matches_every_word_of_the_name(client, oakfield):
    await sign_in(client, oakfield.alice)
    assert [p["name"] for p in (await _colleagues(client, "safe"))["staff"]] == ["Dina Safeguard"]
    assert [p["name"] for p in (await _colleagues(client, "sam%20senior"))["staff"]] == [
        "Sam Senior"]
    assert (await _colleagues(client, "adam%40oakfield"))["staff"] == []  # not by email
    assert (await _colleagues(client, "rita"))["staff"] == []


async def test_the_slt_are_shown_as_always_alerted_while_the_school_says_so(client, oakfield):
    await sign_in(client, oakfield.alice)
    assert [p["name"] for p in (await _colleagues(client))["always_alerted"]] == ["Sam Senior"]
    school = await School.get(id=oakfield.school.id)
    school.settings = {**school.settings, "always_alert_slt": False}
    await school.save()
    assert (await _colleagues(client))["always_alerted"] == []


async def test_signed_out_people_get_no_names(client, oakfield):
    response = await client.get("/api/staff")
    assert response.status_code == 401
