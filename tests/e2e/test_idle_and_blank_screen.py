"""Keeping a session safe on a shared iPad, in Chromium: the idle timeout on the page's
own clock (driven by Playwright's), and the blank screen."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def session_from_the_page(page) -> dict:
    """GET /api/session with the page's cookies: its status and, when 200, its body."""
    return page.evaluate(
        """() => fetch('/api/session', {headers: {'X-Haven-Background': '1'}})
             .then(async (r) => ({status: r.status, body: r.ok ? await r.json() : null}))"""
    )


def is_user_activity(request) -> bool:
    return (
        request.method == "GET"
        and request.url.endswith("/api/session")
        and "x-haven-background" not in request.headers
    )


def test_dina_is_warned_at_9_minutes_and_signed_out_at_10(page, problems, live_server, signed_in_as):
    dina = live_server.dina
    page.clock.install()
    signed_in_as(page, dina)

    page.clock.fast_forward("08:50")
    expect(page.get_by_role("alertdialog")).to_have_count(0)
    page.clock.fast_forward("00:15")
    warning = page.get_by_role("alertdialog", name="Are you still there?")
    expect(warning).to_be_visible()
    countdown = warning.get_by_role("timer")
    expect(countdown).to_have_text(re.compile(r"^0:[45]\d$"))
    seconds_left = int(countdown.inner_text().split(":")[1])
    page.clock.run_for(5000)
    expect(countdown).to_have_text(f"0:{seconds_left - 5:02d}")

    # Staying tells the server too, so its idle deadline moves with the page's.
    with page.expect_request(is_user_activity):
        warning.get_by_role("button", name="Stay signed in").click()
    expect(warning).to_have_count(0)
    expect(page.get_by_role("heading", name=f"Signed in as {dina.name}")).to_be_visible()

    page.clock.fast_forward("09:00")
    expect(warning).to_be_visible()
    page.clock.fast_forward("01:00")
    expect(page.get_by_test_id("login-status")).to_have_text(
        "You were signed out after 10 minutes without activity."
    )
    # Wiped: nothing of Dina's is left in the page, hidden or not.
    assert dina.name not in page.content()
    assert dina.email not in page.content()
    assert page.title() == "Sign in – Haven"
    assert session_from_the_page(page)["status"] == 401
    assert not problems, f"the page reported problems:\n{problems}"


def test_alice_blanks_the_screen_and_comes_back_with_her_password(
    page, problems, live_server, signed_in_as
):
    alice = live_server.alice
    problems.expect_refusal(400, "/api/session/unlock")
    signed_in_as(page, alice)
    blank = page.get_by_role("button", name="Blank screen")
    expect(blank).to_have_attribute("aria-keyshortcuts", re.compile("Control\\+Shift\\+L"))
    with page.expect_response(lambda response: response.url.endswith("/api/session/lock")):
        blank.click()

    expect(page.get_by_role("heading", name="Screen blanked")).to_be_visible()
    expect(page.get_by_label("Your password")).to_be_focused()
    assert page.title() == "Haven"
    assert alice.email not in page.content()
    expect(page.get_by_test_id("user-name")).to_have_count(0)
    # The server refuses the session everything until it is unlocked; a reload changes
    # nothing.
    assert session_from_the_page(page)["body"]["locked"] is True
    assert page.request.get("/api/me/sessions").status == 403
    page.reload()
    expect(page.get_by_role("heading", name="Screen blanked")).to_be_visible()

    page.get_by_label("Your password").fill("not-alices-password")
    page.get_by_role("button", name="Carry on").click()
    expect(page.get_by_role("alert").filter(has_text=re.compile(r"\S"))).to_have_text(
        "That password is not right."
    )
    expect(page.get_by_label("Your password")).to_be_focused()

    page.get_by_label("Your password").fill(alice.password)
    page.get_by_role("button", name="Carry on").click()
    expect(page.get_by_role("heading", name=f"Signed in as {alice.name}")).to_be_visible()
    expect(page.get_by_test_id("user-email")).to_have_text(alice.email)
    assert session_from_the_page(page)["body"]["locked"] is False

    # The keyboard shortcut does the same, from whichever page she is on.
    page.get_by_role("link", name="Account").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    page.keyboard.press("Control+Shift+L")
    expect(page.get_by_role("heading", name="Screen blanked")).to_be_visible()
    assert page.title() == "Haven"
    page.get_by_label("Your password").fill(alice.password)
    page.get_by_role("button", name="Carry on").click()
    # Back where she was, fetched again: nothing was kept in the page meanwhile.
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    expect(page.get_by_test_id("my-session")).not_to_have_count(0)
    assert not problems, f"the page reported problems:\n{problems}"
