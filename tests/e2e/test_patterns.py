"""The key holders' patterns on the home screen: Sam (senior leadership) steps up and sees
that Olivia (Liv) has had three concerns this week, and follows the link to her page; the
Reports screen shows the same patterns."""

import re
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect

from tests.e2e.test_offline import HavenApi

pytestmark = pytest.mark.e2e


def test_sam_steps_up_to_see_a_pupil_with_three_concerns_this_week(
    page, problems, live_server, signed_in_as, phone, playwright
):
    alice = HavenApi(playwright, live_server, live_server.alice)
    try:
        olivia = alice.request.get("/api/pupils?q=Olivia Hughes").json()["pupils"][0]
        bullying = next(c for c in alice.request.get("/api/categories").json()["categories"]
                        if c["name"] == "Bullying")
        for days_ago in (1, 2, 4):
            occurred = datetime.now(timezone.utc) - timedelta(days=days_ago)
            answer = alice.request.post("/api/incidents", headers={"X-Requested-With": "haven"}, data={
                "pupil_id": olivia["id"], "linked_pupils": [], "category_ids": [bullying["id"]],
                "account": f"Patterns: Liv was left out again ({days_ago} days ago).",
                "occurred_at": occurred.isoformat(), "agency_ids": [], "body_map": [],
                "alert_user_ids": []})
            assert answer.ok, answer.text()
    finally:
        alice.close()

    problems.expect_refusal(403, "/api/reports/patterns")  # before he steps up
    signed_in_as(page, live_server.sam)
    card = page.get_by_role("region", name="Patterns")
    card.get_by_role("button", name="Show patterns").click()
    prompt = page.get_by_role("dialog", name="This needs the authenticator")
    prompt.get_by_role("button", name="Set up the authenticator").click()
    secret = phone.set_up(page)  # then back home, where the card asks again
    card.get_by_role("button", name="Show patterns").click()
    prompt = page.get_by_role("dialog", name="Confirm it is you")
    prompt.get_by_label("Enter the 6-digit code from your authenticator").fill(
        phone.current_code(secret))
    prompt.get_by_role("button", name="Continue").click()
    clusters = page.get_by_test_id("pattern-clusters")
    expect(clusters).to_contain_text("Several concerns in 7 days")
    olivia_pattern = clusters.get_by_test_id("pattern-pupil").filter(has_text="Liv Hughes")
    expect(olivia_pattern).to_contain_text(re.compile(r"Year 6, form 6C: [3-9] concerns in the last 7 days"))
    # Bullying is rising (Alice's three, and perhaps other tests'): drawn, with its table.
    expect(card.locator("svg[role=img] > title", has_text="Categories rising across the school")
           ).to_have_count(1)
    expect(card.get_by_role("table", name=re.compile("^Categories rising across the school"))
           ).to_contain_text("Bullying")
    with page.expect_download() as download:
        card.get_by_test_id("patterns-pdf").click()
    assert download.value.suggested_filename.startswith("patterns-")
    olivia_pattern.get_by_role("link", name="Liv Hughes").click()
    expect(page.get_by_role("heading", name="Liv Hughes", level=1)).to_be_visible()

    # The same patterns are among the reports, with no period to choose: they are as of now.
    page.get_by_role("navigation").get_by_role("link", name="Reports").click()
    page.get_by_test_id("report-kind").select_option("patterns")
    expect(page.get_by_test_id("report-from")).to_be_hidden()
    page.get_by_role("button", name="Show", exact=True).click()
    report = page.get_by_test_id("report")
    expect(report.get_by_role("heading", level=2)).to_have_text("Patterns: concerns clustering or rising")
    expect(report).to_contain_text("pupils with 3 or more concerns in 7 days")
    expect(report.get_by_test_id("pattern-clusters").get_by_test_id("pattern-pupil")
           .filter(has_text="Liv Hughes")).to_have_count(1)
    expect(report.get_by_test_id("patterns-csv")).to_have_attribute("href", "/api/reports/patterns?format=csv")
    page.get_by_test_id("report-kind").select_option("governors")
    expect(page.get_by_test_id("report-from")).to_be_visible()
    assert not problems, f"the page reported problems:\n{problems}"
