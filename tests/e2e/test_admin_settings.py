"""School settings in Chromium: Adam, the school's administrator, steps up with the
authenticator, moves the end-of-day reminder to 16:05 and the idle timeout to 15 minutes
and finds them there after a reload, turns the reminder off, and is told beside each field
what is wrong with an idle timeout of 0 and no escalation roles, which change nothing.

The live server's school is shared by every e2e test: its settings are put back at the end.
Screenshots at phone and laptop widths go to the screenshot folder.
"""

import pytest
from playwright.sync_api import expect

# Adam's elevation, whatever order the modules run in, is test_admin_records' fixture.
from tests.e2e.test_admin_records import adams_phone, api_get  # noqa: F401

pytestmark = pytest.mark.e2e

SIZES = {"phone": (375, 812), "laptop": (1024, 768)}
SETTINGS = "/api/admin/settings"


def put_back(page, settings: dict) -> None:
    """Every setting as it was ("" turns a reminder that was off off again)."""
    restored = {**settings, "end_of_day_reminder": settings["end_of_day_reminder"] or ""}
    response = page.request.patch(SETTINGS, data=restored,
                                  headers={"X-Requested-With": "haven"})
    assert response.ok, f"settings not put back: {response.status} {response.text()}"
    assert response.json() == settings


def save_sends(page, changes: dict) -> None:
    """Click Save and check the PATCH carried exactly these changes."""
    with page.expect_request(lambda r: r.method == "PATCH" and r.url.endswith(SETTINGS)) as sent:
        page.get_by_role("button", name="Save").click()
    assert sent.value.post_data_json == changes


def test_adam_changes_the_reminder_and_idle_timeout_and_is_told_what_is_wrong(
    page, problems, live_server, signed_in_as, adams_phone, screenshots_at  # noqa: F811
):
    problems.expect_refusal(403, "/api/admin/users")  # before he steps up
    problems.expect_refusal(400, SETTINGS)  # the values he gets wrong
    page.set_viewport_size({"width": 1280, "height": 800})
    signed_in_as(page, live_server.adam)
    page.get_by_role("link", name="Staff and admin").click()
    adams_phone()
    expect(page.get_by_role("heading", name="Staff accounts", level=1)).to_be_visible()
    before = api_get(page, SETTINGS)
    try:
        page.get_by_role("navigation", name="Administration").get_by_role(
            "link", name="School settings").click()
        expect(page.get_by_role("heading", name="School settings", level=1)).to_be_focused()
        expect(page.get_by_test_id("admin-nav-settings")).to_have_attribute("aria-current", "page")

        idle = page.get_by_label("Sign staff out after this many minutes without activity")
        reminder = page.get_by_label("Send the reminder")
        reminder_time = page.get_by_label("Time of the reminder")
        escalation = page.get_by_role("group", name="Escalate unacknowledged concerns to")
        always_slt = page.get_by_label("Always alert the senior leadership team about new concerns")
        # The form shows what the server holds.
        expect(idle).to_have_value(str(before["idle_timeout_minutes"]))
        expect(page.get_by_label("Sign everyone out this many hours after they sign in")
               ).to_have_value(str(before["session_lifetime_hours"]))
        expect(page.get_by_label("Ask for an authenticator code again after this many minutes")
               ).to_have_value(str(before["elevation_minutes"]))
        expect(page.get_by_role("group", name="Password rules").get_by_label(
            "School")).to_be_checked()
        expect(page.get_by_label("Everyone must set up the authenticator")).not_to_be_checked()
        expect(always_slt).to_be_checked()
        expect(escalation.get_by_label("DSLs")).to_be_checked()
        expect(escalation.get_by_label("Senior leaders")).to_be_checked()
        expect(reminder).to_be_checked()
        expect(reminder_time).to_have_value(before["end_of_day_reminder"])
        expect(page.get_by_label("Time zone")).to_have_value(before["timezone"])
        screenshots_at(page, "settings-form", SIZES)

        # Saving with nothing changed sends nothing.
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_test_id("settings-status")).to_have_text("Nothing has changed.")

        # The reminder at 16:05 and 15 minutes: only those two are sent.
        reminder_time.fill("16:05")
        idle.fill("15")
        save_sends(page, {"end_of_day_reminder": "16:05", "idle_timeout_minutes": 15})
        expect(page.get_by_test_id("settings-status")).to_have_text("Saved.")
        saved = api_get(page, SETTINGS)
        assert saved == {**before, "end_of_day_reminder": "16:05", "idle_timeout_minutes": 15}
        page.reload()
        expect(page.get_by_role("heading", name="School settings", level=1)).to_be_focused()
        expect(idle).to_have_value("15")
        expect(reminder).to_be_checked()
        expect(reminder_time).to_have_value("16:05")

        # Ticked with no time, the reminder is not sent as "off": Haven asks for a time.
        reminder_time.fill("")
        page.get_by_role("button", name="Save").click()
        reminder_field = page.locator(".field").filter(has=reminder_time)
        expect(reminder_field.get_by_test_id("field-problem")).to_have_text("Enter a time, such as 15:30, or untick the reminder.")
        expect(reminder_time).to_be_focused()
        expect(reminder_time).to_have_attribute("aria-invalid", "true")
        assert api_get(page, SETTINGS)["end_of_day_reminder"] == "16:05"

        # He turns the reminder off.
        reminder.uncheck()
        expect(reminder_time).to_be_hidden()
        save_sends(page, {"end_of_day_reminder": ""})
        expect(page.get_by_test_id("settings-status")).to_have_text("Saved.")
        expect(page.get_by_test_id("field-problem")).to_have_count(0)
        assert api_get(page, SETTINGS)["end_of_day_reminder"] is None
        page.reload()
        expect(reminder).not_to_be_checked()
        expect(reminder_time).to_be_hidden()
        reminder.check()  # the time comes back, to be chosen
        expect(reminder_time).to_be_focused()
        reminder.uncheck()

        # An idle timeout of 0 and nobody to escalate to: the server refuses the lot, and
        # each is explained beside its field. His other change is not saved either.
        idle.fill("0")
        escalation.get_by_label("DSLs").uncheck()
        escalation.get_by_label("Senior leaders").uncheck()
        always_slt.uncheck()
        save_sends(page, {"idle_timeout_minutes": 0, "always_alert_slt": False,
                          "escalation_roles": []})
        expect(page.get_by_test_id("settings-error")).to_have_text(
            "Nothing was saved. Check the settings marked above.")
        idle_field = page.locator(".field").filter(has=idle)
        expect(idle_field.get_by_test_id("field-problem")).to_have_text(
            "Enter a whole number of minutes from 1 to 60.")
        expect(escalation.get_by_test_id("field-problem")).to_have_text(
            "Choose at least one: DSLs, senior leaders or both.")
        expect(idle).to_be_focused()
        expect(page.get_by_test_id("settings-status")).to_have_text("")
        screenshots_at(page, "settings-refused", SIZES)
        unchanged = api_get(page, SETTINGS)
        assert unchanged == {**before, "end_of_day_reminder": None, "idle_timeout_minutes": 15}

        # Put right, it saves, and the marks go.
        idle.fill("20")
        escalation.get_by_label("DSLs").check()
        save_sends(page, {"idle_timeout_minutes": 20, "always_alert_slt": False,
                          "escalation_roles": ["dsl"]})
        expect(page.get_by_test_id("settings-status")).to_have_text("Saved.")
        expect(page.get_by_test_id("field-problem")).to_have_count(0)
        expect(page.get_by_test_id("settings-error")).to_have_text("")
        expect(idle).not_to_have_attribute("aria-invalid", "true")
        saved = api_get(page, SETTINGS)
        assert saved["idle_timeout_minutes"] == 20
        assert saved["always_alert_slt"] is False
        assert saved["escalation_roles"] == ["dsl"]

        # The patterns' thresholds.
        page.get_by_test_id("setting-pattern_days").fill("14")
        page.get_by_test_id("setting-pattern_rise_factor").fill("3")
        save_sends(page, {"pattern_days": 14, "pattern_rise_factor": 3})
        expect(page.get_by_test_id("settings-status")).to_have_text("Saved.")
        saved = api_get(page, SETTINGS)
        assert (saved["pattern_days"], saved["pattern_rise_factor"]) == (14, 3)
    finally:
        put_back(page, before)
    assert not problems, f"the page reported problems:\n{problems}"
