"""GET /api/offline/reference: what the record forms need without signal."""

from datetime import date

from haven.audit.models import AuditEvent
from haven.pupils.models import Pupil
from tests.conftest import sign_in


async def test_the_forms_get_pupils_categories_agencies_and_staff(client, oakfield, amy, rita):
    await Pupil.create(school=oakfield.school, upn="U9", first_name="Gone", last_name="Away",
                       date_of_birth=date(2012, 1, 1), year_group="Year 9",
                       left_on=date(2020, 7, 1))
    await sign_in(client, oakfield.alice)
    response = await client.get("/api/offline/reference")
    assert response.status_code == 200
    body = await response.get_json()
    # Pupils on roll only, and only what the typeahead shows: no date of birth, no UPN.
    assert body["pupils"] == [{"id": amy.id, "name": "Amy Jones", "year_group": "Year 7",
                               "form": "7A", "first_name": "Amelia",
                               "preferred_name": "Amy", "last_name": "Jones"}]
    neglect = next(c for c in body["categories"] if c["name"] == "Neglect")
    assert neglect["guidance"] and neglect["parent_id"]
    assert "Police" in [a["name"] for a in body["agencies"]]
    # Everyone who can be alerted, but not the person asking; no emails; Riverside's
    # staff are not Oakfield's.
    assert {s["name"] for s in body["staff"]} == {"Dina Safeguard", "Sam Senior", "Adam Office"}
    assert [s["name"] for s in body["always_alerted"]] == ["Sam Senior"]
    assert "@" not in str(body)
    assert await AuditEvent.filter(action="offline_reference_downloaded",
                                   actor_id=oakfield.alice.id).count() == 1


async def test_signed_out_gets_nothing(client, oakfield):
    assert (await client.get("/api/offline/reference")).status_code == 401
