"""Setting up the authenticator in Chromium: the key read off the screen by the test, as
a phone would read the QR code, and the recovery codes saved."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_ellie_sets_up_the_authenticator_and_saves_her_recovery_codes(
    page, problems, live_server, signed_in_as, phone
):
    ellie = live_server.ellie
    problems.expect_refusal(400, "/api/me/totp/confirm")
    signed_in_as(page, ellie)
    expect(page.get_by_test_id("authenticator")).to_have_text("Not set up")

    page.get_by_role("link", name="Account").click()
    page.get_by_role("link", name="Set up the authenticator").click()
    expect(page.get_by_role("heading", name="Set up the authenticator")).to_be_focused()
    qr = page.get_by_role("img", name="QR code for your authenticator app")
    expect(qr).to_be_visible()
    # The server's SVG is shown as a picture, never parsed into the page.
    assert qr.get_attribute("src").startswith("data:image/svg+xml;base64,")
    assert page.locator("#app svg").count() == 0
    key = page.get_by_test_id("totp-secret").inner_text()
    assert all(len(group) == 4 for group in key.split()[:-1]), key
    secret = key.replace(" ", "")

    page.get_by_label("6-digit code from the app").fill("000000")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_test_id("authenticator-error")).to_have_text(
        "That code is not right, or has been used already."
    )

    page.get_by_label("6-digit code from the app").fill(phone.previous_code(secret))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Save your recovery codes")).to_be_focused()
    codes = page.get_by_test_id("recovery-codes").get_by_role("listitem").all_inner_texts()
    assert len(codes) == 10 and len(set(codes)) == 10, codes

    with page.expect_download() as download:
        page.get_by_role("link", name="Download as a text file").click()
    assert download.value.suggested_filename == "haven-recovery-codes.txt"
    saved = download.value.path().read_text()
    assert all(code in saved for code in codes), saved
    assert ellie.email in saved

    # Carrying on asks her to say she has saved them.
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_test_id("recovery-codes-error")).to_contain_text("I have saved these codes")
    expect(page.get_by_label("I have saved these codes")).to_be_focused()
    page.get_by_label("I have saved these codes").check()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    expect(page.get_by_role("link", name="Set it up on a new phone")).to_be_visible()
    page.get_by_role("link", name="Home").click()
    expect(page.get_by_test_id("authenticator")).to_have_text("Set up")
    assert not problems, f"the page reported problems:\n{problems}"
