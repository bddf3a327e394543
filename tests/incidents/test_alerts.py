import pytest

from haven.alerts.models import Alert
from haven.audit.models import AuditEvent
from haven.incidents.models import Category
from tests.conftest import CSRF, sign_in


@pytest.fixture
async def recorded(app, client, oakfield, amy):
    """Alice records a neglect concern about Amy; Dina (DSL) is alerted."""
    await sign_in(client, oakfield.alice)
    neglect = await Category.get(school=oakfield.school, name="Neglect")
    response = await client.post("/api/incidents", headers=CSRF, json={
        "pupil_id": amy.id, "account": "Hungry again.", "category_ids": [neglect.id]})
    dina = app.test_client()
    await sign_in(dina, oakfield.dina)
    return (await response.get_json())["id"], dina


async def test_the_dsl_sees_the_new_alert_saying_who_and_which_category(recorded):
    incident_id, dina = recorded
    body = await (await dina.get("/api/alerts?unread=1")).get_json()
    (alert,) = body["alerts"]
    assert alert["incident_id"] == incident_id and alert["raised_by"] == "Alice Teacher"
    assert alert["categories"] == ["Neglect"] and alert["read_at"] is None
    assert "Amy" not in str(alert)


async def test_marking_read_is_timestamped_once_and_audited(recorded, oakfield):
    incident_id, dina = recorded
    first = await (await dina.post(f"/api/incidents/{incident_id}/read", headers=CSRF)
                   ).get_json()
    second = await (await dina.post(f"/api/incidents/{incident_id}/read", headers=CSRF)
                    ).get_json()
    assert first["read_at"] and first["read_at"] == second["read_at"]
    assert (await (await dina.get("/api/alerts?unread=1")).get_json())["alerts"] == []
    assert len((await (await dina.get("/api/alerts")).get_json())["alerts"]) == 1
    assert await AuditEvent.filter(action="alert_read", actor_id=oakfield.dina.id).count() == 1


async def test_reading_keeps_access_and_the_author_sees_who_read_it(recorded, client):
    incident_id, dina = recorded
    await dina.post(f"/api/incidents/{incident_id}/read", headers=CSRF)
    assert (await dina.get(f"/api/incidents/{incident_id}")).status_code == 200
    body = await (await client.get(f"/api/incidents/{incident_id}")).get_json()
    (alert,) = body["alerts"]
    assert alert["user"]["name"] == "Dina Safeguard" and alert["read_at"] is not None


async def test_someone_not_alerted_cannot_mark_it_read(recorded, client):
    incident_id, _ = recorded
    response = await client.post(f"/api/incidents/{incident_id}/read", headers=CSRF)
    assert response.status_code == 404
    assert await Alert.filter(read_at__not_isnull=True).count() == 0
