"""GET /api/pupils/{id}: a pupil's profile, for elevated key holders."""

from datetime import date

from haven.audit.models import AuditEvent
from haven.pupils.models import Pupil
from haven.schools.models import School
from tests.conftest import elevate_directly, sign_in


async def _pupil(school, **fields):
    return await Pupil.create(**{
        "school": school, "upn": "A100", "first_name": "Jessica", "preferred_name": "Jess",
        "last_name": "Brown", "date_of_birth": date(2014, 3, 9), "year_group": "Year 5",
        "form": "5B", "gender": "F", **fields})


async def test_an_elevated_dsl_sees_the_profile_and_the_read_is_audited(client, oakfield):
    jess = await _pupil(oakfield.school)
    await sign_in(client, oakfield.dina)
    await elevate_directly(oakfield.dina.id)
    response = await client.get(f"/api/pupils/{jess.id}")
    assert response.status_code == 200
    assert await response.get_json() == {
        "id": jess.id, "name": "Jess Brown", "year_group": "Year 5", "form": "5B",
        "photo_url": None, "upn": "A100", "first_name": "Jessica", "preferred_name": "Jess",
        "last_name": "Brown", "date_of_birth": "2014-03-09", "gender": "F", "on_roll": True,
        "left_on": None}
    event = await AuditEvent.get(action="pupil_viewed")
    assert (event.actor_id, event.target_id) == (oakfield.dina.id, str(jess.id))


async def test_a_leaver_is_shown_as_off_roll(client, oakfield):
    jess = await _pupil(oakfield.school, left_on=date(2020, 7, 20))
    await sign_in(client, oakfield.sam)
    await elevate_directly(oakfield.sam.id)
    body = await (await client.get(f"/api/pupils/{jess.id}")).get_json()
    assert (body["on_roll"], body["left_on"]) == (False, "2020-07-20")


async def test_staff_and_unelevated_key_holders_are_refused(client, oakfield):
    jess = await _pupil(oakfield.school)
    await sign_in(client, oakfield.alice)
    assert (await client.get(f"/api/pupils/{jess.id}")).status_code == 403
    await sign_in(client, oakfield.dina)
    body = await (await client.get(f"/api/pupils/{jess.id}")).get_json()
    assert body["code"] == "ELEVATION_REQUIRED"


async def test_another_schools_pupil_is_not_found(client, oakfield, rita):
    other = await _pupil(await School.get(slug="riverside"))
    await sign_in(client, oakfield.dina)
    await elevate_directly(oakfield.dina.id)
    assert (await client.get(f"/api/pupils/{other.id}")).status_code == 404
