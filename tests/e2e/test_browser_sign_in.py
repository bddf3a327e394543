"""Signing in and out in Chromium, as a member of staff would."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def session_status(page) -> int:
    """The status of GET /api/session with the page's cookies, asked from the page."""
    return page.evaluate(
        "() => fetch('/api/session', {credentials: 'same-origin'}).then(r => r.status)"
    )


def test_a_wrong_password_is_refused_in_an_alert(page, problems, live_server):
    page.goto("/")
    page.get_by_label("Email").fill(live_server.alice.email)
    page.get_by_label("Password").fill("not-alices-password")
    page.get_by_role("button", name="Sign in").click()

    error = page.get_by_role("alert").filter(has_text=re.compile(r"\S"))
    expect(error).to_have_count(1)
    expect(page.get_by_test_id("login-error")).not_to_be_empty()
    expect(page.get_by_test_id("login-form")).to_be_visible()
    expect(page.get_by_test_id("user-name")).to_have_count(0)
    # The password field is ready for another try.
    expect(page.get_by_label("Password")).to_be_focused()
    assert session_status(page) == 401
    assert not problems, f"the page reported problems:\n{problems}"


def test_alice_signs_in_stays_signed_in_on_reload_and_signs_out(
    page, problems, live_server, signed_in_as
):
    alice = live_server.alice
    signed_in_as(page, alice)

    expect(page.get_by_role("heading", name=f"Signed in as {alice.name}")).to_be_visible()
    expect(page.get_by_test_id("school-name")).to_have_text("Oakfield Primary")
    expect(page.get_by_test_id("roles")).to_have_text("staff")
    expect(page.get_by_test_id("key-holder")).to_have_text("No")
    expect(page.get_by_test_id("login-error")).to_have_count(0)

    page.reload()
    expect(page.get_by_test_id("user-name")).to_have_text(alice.name)
    expect(page.get_by_test_id("school-name")).to_have_text("Oakfield Primary")
    assert session_status(page) == 200

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_test_id("login-form")).to_be_visible()
    expect(page.get_by_test_id("login-status")).to_have_text("You have signed out.")
    expect(page.get_by_role("status")).to_have_text("You have signed out.")
    assert session_status(page) == 401
    # Also from outside the page, with the cookies the browser now holds.
    assert page.request.get("/api/session").status == 401

    # After a reload the login screen stays: the session cookie really is gone.
    page.reload()
    expect(page.get_by_test_id("login-form")).to_be_visible()
    assert not problems, f"the page reported problems:\n{problems}"


def test_dina_is_shown_as_a_key_holder(page, problems, live_server, signed_in_as):
    dina = live_server.dina
    signed_in_as(page, dina)

    expect(page.get_by_test_id("school-name")).to_have_text("Oakfield Primary")
    # Both roles, in whichever order the server lists them.
    expect(page.get_by_test_id("roles")).to_have_text(re.compile(r"^(staff, DSL|DSL, staff)$"))
    expect(page.get_by_test_id("key-holder")).to_have_text("Yes")
    assert not problems, f"the page reported problems:\n{problems}"
