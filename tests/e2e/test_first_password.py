"""A first sign-in with a password someone else chose, and forgotten passwords, in Chromium."""

import json
import re
import sqlite3
import time

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_fran_must_choose_her_own_password_before_anything_else(
    page, problems, live_server, signed_in_as
):
    fran = live_server.fran
    problems.expect_refusal(400, "/api/me/password")
    page.goto("/")
    page.get_by_label("Email").fill(fran.email)
    page.get_by_label("Password").fill(fran.password)
    page.get_by_role("button", name="Sign in").click()

    heading = page.get_by_role("heading", name="Choose a new password")
    expect(heading).to_be_visible()
    expect(page.get_by_label("Current password")).to_be_focused()
    # Nothing else is on offer until she has: no links to pages the server would refuse.
    expect(page.get_by_role("link", name="Account")).to_have_count(0)
    expect(page.get_by_role("button", name="Blank screen")).to_be_visible()

    page.get_by_label("Current password").fill(fran.password)
    page.get_by_label("New password", exact=True).fill("password")
    page.get_by_label("New password again").fill("password")
    page.get_by_role("button", name="Save and continue").click()
    # The server names every rule the password breaks.
    error = page.get_by_test_id("password-error")
    expect(error).to_contain_text("common passwords")
    expect(error).to_contain_text("upper-case")
    expect(page.get_by_role("alert").filter(has_text=re.compile(r"\S"))).to_have_count(1)

    own_password = "Chosen-by-me-2026-7!"
    page.get_by_label("New password", exact=True).fill(own_password)
    page.get_by_label("New password again").fill("Chosen-by-me-2026-8!")
    page.get_by_role("button", name="Save and continue").click()
    expect(error).to_have_text("The two new passwords are different. Type the same one twice.")

    page.get_by_label("New password again").fill(own_password)
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", name=f"Signed in as {fran.name}")).to_be_visible()
    expect(page.get_by_role("link", name="Account")).to_be_visible()

    # Her own password works from now on; the one she was given does not.
    page.get_by_role("button", name="Sign out").click()
    page.get_by_label("Email").fill(fran.email)
    page.get_by_label("Password").fill(own_password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name=f"Signed in as {fran.name}")).to_be_visible()
    assert not problems, f"the page reported problems:\n{problems}"


def reset_link_emailed_to(live_server, email: str) -> str:
    """The link in the newest email to `email`. With no SMTP server set, emails wait in
    the outbox table, which is where a test can read them. The server writes a reset email
    after answering (so known and unknown emails take the same time): wait up to 10 s."""
    deadline = time.monotonic() + 10
    while True:
        with sqlite3.connect(live_server.data_dir / "haven.sqlite3", timeout=5) as db:
            row = db.execute(
                "SELECT payload FROM outbox_message WHERE recipient = ? ORDER BY id DESC LIMIT 1",
                (email,),
            ).fetchone()
        if row is not None or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert row is not None, f"no email to {email} after 10 s"
    body = json.loads(row[0])["body"]
    link = re.search(r"(http\S+/#reset=\S+)", body)
    assert link, body
    return link.group(1)


def test_rita_resets_her_forgotten_password_with_the_emailed_link(page, problems, live_server):
    rita = live_server.rita
    page.goto("/")
    page.get_by_label("Email").fill(rita.email)
    page.get_by_role("button", name="Forgotten your password?").click()
    # What she typed comes along.
    expect(page.get_by_label("Email")).to_have_value(rita.email)
    page.get_by_role("button", name="Email me a link").click()
    expect(page.get_by_test_id("reset-sent")).to_contain_text(
        "If that is a Haven account, an email is on its way."
    )

    link = reset_link_emailed_to(live_server, rita.email)
    page.goto(link)
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    # The token must not linger in the address bar or the history.
    assert "reset" not in page.url
    assert page.evaluate("() => window.location.hash") == ""

    new_password = "Remembered-at-last-9!"
    page.get_by_label("New password", exact=True).fill(new_password)
    page.get_by_label("New password again").fill(new_password)
    page.get_by_role("button", name="Save my password").click()
    expect(page.get_by_test_id("login-status")).to_have_text(
        "Your new password is saved. Sign in with it."
    )
    page.get_by_label("Email").fill(rita.email)
    page.get_by_label("Password").fill(new_password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name=f"Signed in as {rita.name}")).to_be_visible()

    # The link works once.
    token = link.split("#reset=", 1)[1]
    problems.expect_refusal(400, f"/api/password-reset/{token}")
    page.goto(link)
    page.get_by_label("New password", exact=True).fill("Another-one-entirely-3!")
    page.get_by_label("New password again").fill("Another-one-entirely-3!")
    page.get_by_role("button", name="Save my password").click()
    expect(page.get_by_test_id("reset-error")).to_contain_text("has been used or has expired")
    expect(page.get_by_role("button", name="Ask for a new link")).to_be_focused()
    assert not problems, f"the page reported problems:\n{problems}"
