"""The staff accounts screen in Chromium: Adam, the school's administrator, steps up with
the authenticator, adds a new member of staff and disables the account of one who left."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def member(page, name: str):
    return page.get_by_test_id("staff-member").filter(
        has=page.get_by_role("heading", name=re.compile(f"^{name}"))
    )


def test_adam_steps_up_adds_a_member_of_staff_and_disables_carl(
    page, problems, live_server, signed_in_as, phone
):
    adam, carl = live_server.adam, live_server.carl
    problems.expect_refusal(403, "/api/admin/users")  # before he steps up
    problems.expect_refusal(400, "/api/session/elevate")  # the wrong code
    signed_in_as(page, adam)

    # Staff accounts need the authenticator, which Adam has not set up yet.
    page.get_by_role("link", name="Staff").click()
    prompt = page.get_by_role("dialog", name="This needs the authenticator")
    expect(prompt).to_be_visible()
    prompt.get_by_role("button", name="Set up the authenticator").click()
    secret = phone.set_up(page)

    # Once it is set up, Haven takes him back where he was going, and asks for a code.
    prompt = page.get_by_role("dialog", name="Confirm it is you")
    expect(prompt).to_be_visible()
    code = prompt.get_by_label("Enter the 6-digit code from your authenticator")
    expect(code).to_be_focused()
    code.fill("123456")
    prompt.get_by_role("button", name="Continue").click()
    expect(prompt.get_by_role("alert")).to_have_text(
        "That code is not right, or has been used already."
    )
    code.fill(phone.current_code(secret))
    prompt.get_by_role("button", name="Continue").click()
    expect(prompt).to_have_count(0)

    expect(page.get_by_role("heading", name="Staff accounts")).to_be_visible()
    expect(member(page, adam.name)).to_contain_text("Authenticator set up")
    expect(member(page, carl.name).get_by_test_id("staff-roles")).to_have_text("staff")

    # A new member of staff, invited by email to choose a password.
    page.get_by_role("button", name="Add a member of staff").click()
    form = page.get_by_role("dialog", name="Add a member of staff")
    form.get_by_label("Name").fill("Nina Newcomer")
    form.get_by_label("Email").fill("nina@oakfield.example")
    form.get_by_label("DSL").check()
    form.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_test_id("staff-status")).to_have_text(
        "Nina Newcomer has been added. An email invites them to choose a password."
    )
    nina = member(page, "Nina Newcomer")
    expect(nina).to_contain_text("Invitation not yet accepted")
    expect(nina.get_by_test_id("staff-roles")).to_have_text(re.compile(r"^(staff, DSL|DSL, staff)$"))

    # Carl has left: after a confirmation, his account is disabled.
    page.get_by_role("button", name=f"Disable {carl.name}").click()
    confirm = page.get_by_role("dialog", name=f"Disable {carl.name}’s account?")
    expect(confirm.get_by_role("button", name="Cancel")).to_be_focused()
    confirm.get_by_role("button", name="Disable the account").click()
    expect(page.get_by_test_id("staff-status")).to_have_text(f"{carl.name}’s account is disabled.")
    expect(member(page, carl.name)).to_contain_text("Disabled")
    expect(page.get_by_role("button", name=f"Enable {carl.name}")).to_be_visible()
    # Adam cannot disable himself.
    expect(page.get_by_role("button", name=f"Disable {adam.name}")).to_have_count(0)

    # Carl can no longer sign in.
    result = page.request.post(
        "/api/session",
        data={"email": carl.email, "password": carl.password},
        headers={"X-Requested-With": "haven"},
    )
    assert result.status == 401
    assert not problems, f"the page reported problems:\n{problems}"
