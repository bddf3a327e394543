import pytest

from haven.audit.models import AuditEvent
from tests.conftest import CSRF, sign_in


async def test_an_administrator_reads_the_schools_settings(adam):
    response = await adam.get("/api/admin/settings")
    assert response.status_code == 200
    assert await response.get_json() == {
        "timezone": "Europe/London", "idle_timeout_minutes": 10, "session_lifetime_hours": 12,
        "elevation_minutes": 60, "password_policy": "school", "require_authenticator": False,
        "always_alert_slt": True, "end_of_day_reminder": "15:30",
        "escalation_roles": ["dsl", "slt"], "report_small_numbers": True,
        "pattern_concerns": 3, "pattern_days": 7, "pattern_rise_factor": 2,
    }


async def test_the_end_of_day_reminder_is_set_and_turned_off(adam):
    response = await adam.patch("/api/admin/settings", headers=CSRF,
                                json={"end_of_day_reminder": "16:05"})
    assert (await response.get_json())["end_of_day_reminder"] == "16:05"
    response = await adam.patch("/api/admin/settings", headers=CSRF,
                                json={"end_of_day_reminder": ""})
    assert (await response.get_json())["end_of_day_reminder"] is None


async def test_a_change_is_saved_audited_and_used_by_new_sessions(app, adam, oakfield):
    response = await adam.patch("/api/admin/settings", headers=CSRF,
                                json={"idle_timeout_minutes": 5, "password_policy": "nist"})
    assert response.status_code == 200
    assert (await response.get_json())["idle_timeout_minutes"] == 5
    event = await AuditEvent.get(action="settings_changed")
    assert event.detail == {"idle_timeout_minutes": 5, "password_policy": "nist"}

    alice = app.test_client()
    body = await (await sign_in(alice, oakfield.alice)).get_json()
    assert body["school"]["idle_timeout_minutes"] == 5


@pytest.mark.parametrize("change", [
    {"idle_timeout_minutes": 0}, {"idle_timeout_minutes": 61}, {"password_policy": "weak"},
    {"timezone": "Mars/Olympus"}, {"require_authenticator": "sometimes"},
    {"end_of_day_reminder": "25:00"}, {"end_of_day_reminder": "3pm"},
    {"escalation_roles": []}, {"escalation_roles": ["staff"]},
])
async def test_a_bad_setting_is_refused_and_nothing_changes(adam, change):
    response = await adam.patch("/api/admin/settings", headers=CSRF, json=change)
    assert response.status_code == 400
    assert (await response.get_json())["code"] == "VALIDATION_ERROR"
    assert (await (await adam.get("/api/admin/settings")).get_json())["idle_timeout_minutes"] == 10


async def test_staff_cannot_change_settings(client, oakfield):
    await sign_in(client, oakfield.dina)
    response = await client.patch("/api/admin/settings", headers=CSRF,
                                  json={"idle_timeout_minutes": 60})
    assert response.status_code == 403
