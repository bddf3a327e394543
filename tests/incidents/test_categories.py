from haven.incidents.models import Category
from haven.schools.models import School
from tests.conftest import CSRF, sign_in


async def _json(response):
    return response.status_code, await response.get_json()


async def test_a_new_school_starts_with_the_default_categories_and_agencies(client, oakfield):
    await sign_in(client, oakfield.alice)
    status, body = await _json(await client.get("/api/categories"))
    assert status == 200
    names = [c["name"] for c in body["categories"]]
    assert names[:3] == ["Child protection", "Physical abuse", "Emotional abuse"]
    protection = body["categories"][0]
    assert protection["parent_id"] is None and protection["alert_role"] == "dsl"
    assert protection["visible_to_roles"] == ["dsl"] and protection["guidance"]
    physical = body["categories"][1]
    assert physical["parent_id"] == protection["id"] and "body map" in physical["guidance"]
    agencies = [a["name"] for a in (await (await client.get("/api/agencies")).get_json())
                ["agencies"]]
    assert "Children's social care" in agencies and "Police" in agencies


async def test_signed_out_gets_no_lists(client, oakfield):
    assert (await client.get("/api/categories")).status_code == 401
    assert (await client.get("/api/agencies")).status_code == 401


async def test_an_administrator_adds_a_sub_category(adam, oakfield):
    top = await Category.get(school=oakfield.school, name="Wellbeing")
    status, body = await _json(await adam.post("/api/admin/categories", headers=CSRF, json={
        "parent_id": top.id, "name": "Eating disorder", "guidance": "Tell the DSL.",
        "alert_role": "dsl"}))
    assert status == 201 and body["parent_id"] == top.id and body["alert_role"] == "dsl"


async def test_categories_have_two_levels_only(adam, oakfield):
    child = await Category.get(school=oakfield.school, name="Neglect")
    status, body = await _json(await adam.post("/api/admin/categories", headers=CSRF, json={
        "parent_id": child.id, "name": "Too deep"}))
    assert (status, body["code"]) == (400, "TOO_DEEP")
    top = await Category.get(school=oakfield.school, name="Wellbeing")
    status, body = await _json(await adam.patch(f"/api/admin/categories/{top.id}", headers=CSRF,
                                                json={"parent_id": child.parent_id}))
    assert (status, body["code"]) == (400, "TOO_DEEP")


async def test_roles_and_people_to_alert_must_exist_here(adam, oakfield, rita):
    status, body = await _json(await adam.post("/api/admin/categories", headers=CSRF, json={
        "name": "Trips", "alert_role": "head"}))
    assert (status, body["code"]) == (400, "INVALID_ROLE")
    status, body = await _json(await adam.post("/api/admin/categories", headers=CSRF, json={
        "name": "Trips", "alert_user_ids": [rita.id]}))
    assert (status, body["code"]) == (400, "UNKNOWN_STAFF")
    status, body = await _json(await adam.post("/api/admin/categories", headers=CSRF, json={
        "name": "Trips", "alert_user_ids": [oakfield.sam.id], "visible_to_roles": ["slt"]}))
    assert status == 201 and body["alert_user_ids"] == [oakfield.sam.id]


async def test_a_name_is_used_once_at_each_level(adam, oakfield):
    status, body = await _json(await adam.post("/api/admin/categories", headers=CSRF,
                                               json={"name": "Wellbeing"}))
    assert (status, body["code"]) == (409, "NAME_TAKEN")


async def test_a_retired_category_leaves_the_form_but_not_the_records(adam, client, oakfield):
    trips = await Category.get(school=oakfield.school, name="Bullying")
    status, body = await _json(await adam.patch(f"/api/admin/categories/{trips.id}",
                                                headers=CSRF, json={"active": False}))
    assert status == 200 and body["active"] is False
    form = await (await adam.get("/api/categories")).get_json()
    assert "Bullying" not in [c["name"] for c in form["categories"]]
    everything = await (await adam.get("/api/admin/categories")).get_json()
    assert "Bullying" in [c["name"] for c in everything["categories"]]


async def test_another_schools_categories_are_not_found(adam, rita):
    riverside = await School.get(slug="riverside")
    theirs = await Category.filter(school=riverside).first()
    status, body = await _json(await adam.patch(f"/api/admin/categories/{theirs.id}",
                                                headers=CSRF, json={"name": "Mine now"}))
    assert (status, body["code"]) == (404, "NOT_FOUND")


async def test_agencies_are_added_renamed_and_retired(adam):
    status, body = await _json(await adam.post("/api/admin/agencies", headers=CSRF,
                                               json={"name": "Youth offending team"}))
    assert status == 201
    agency_id = body["id"]
    status, body = await _json(await adam.patch(f"/api/admin/agencies/{agency_id}",
                                                headers=CSRF, json={"name": "Youth justice"}))
    assert status == 200 and body["name"] == "Youth justice"
    status, body = await _json(await adam.post("/api/admin/agencies", headers=CSRF,
                                               json={"name": "Police"}))
    assert (status, body["code"]) == (409, "NAME_TAKEN")
    await adam.patch(f"/api/admin/agencies/{agency_id}", headers=CSRF, json={"active": False})
    names = [a["name"] for a in (await (await adam.get("/api/agencies")).get_json())["agencies"]]
    assert "Youth justice" not in names


async def test_staff_cannot_change_categories(client, oakfield):
    await sign_in(client, oakfield.dina)
    response = await client.post("/api/admin/categories", headers=CSRF, json={"name": "X"})
    assert response.status_code == 403
