"""Reports in Chromium. Alice records ten concerns about Noah; Gwen, a DSL, sets up the
authenticator, opens Noah's page and downloads his chronology as a PDF, then opens
Reports, shows the governors' report with its charts and their tables, and downloads it
as a PDF. A period that ends before it starts gets the server's own message.

Screenshots of the pupil page and the report at phone and desktop sizes go to the
screenshot folder."""

import io
import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.e2e.test_offline import HavenApi

pytestmark = pytest.mark.e2e

SIZES = {"desktop": (1280, 800), "phone": (375, 812)}
BULLYING = "Reports: Noah said two older pupils took his lunch again by the gate."
WELLBEING = "Reports: Noah was tearful in maths and said he is not sleeping."


def record_concerns_about_noah(playwright, live_server) -> int:
    """Alice records five concerns of bullying and five about Noah's mental health, just now;
    returns Noah's id. Five of each, so that the governors' report, which holds back counts
    under 5, has bars to draw."""
    alice = HavenApi(playwright, live_server, live_server.alice)
    try:
        noah = alice.request.get("/api/pupils?q=Noah Evans").json()["pupils"][0]
        categories = {c["name"]: c["id"] for c in alice.request.get("/api/categories").json()["categories"]}
        concerns = [("Bullying", BULLYING)] * 5 + [("Mental health", WELLBEING)] * 5
        # Seconds apart: all on one day, whatever the time the test runs (minutes apart,
        # a run just after midnight put some on the day before the report's period).
        for seconds_ago, (category, account) in enumerate(concerns, start=1):
            occurred = datetime.now(timezone.utc) - timedelta(seconds=seconds_ago)
            answer = alice.request.post("/api/incidents", headers={"X-Requested-With": "haven"}, data={
                "pupil_id": noah["id"], "linked_pupils": [], "category_ids": [categories[category]],
                "account": account, "occurred_at": occurred.isoformat(), "agency_ids": [],
                "body_map": [], "alert_user_ids": []})
            assert answer.ok, answer.text()
        return noah["id"]
    finally:
        alice.close()


def pdf_text(path) -> str:
    content = path.read_bytes()
    assert content.startswith(b"%PDF"), content[:40]
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_gwen_downloads_a_chronology_and_sees_the_governors_report_with_its_charts(
    page, problems, live_server, signed_in_as, phone, playwright, screenshots_at, tmp_path
):
    # Alice's concerns are from the ten seconds before this moment.
    earliest = datetime.now(ZoneInfo("Europe/London")) - timedelta(seconds=15)
    noah_id = record_concerns_about_noah(playwright, live_server)
    page.set_viewport_size({"width": 1280, "height": 800})

    # --- Noah's chronology, as a PDF ---------------------------------------------------------
    problems.expect_refusal(403, f"/api/pupils/{noah_id}/chronology")  # before she steps up
    signed_in_as(page, live_server.gwen)
    page.goto(f"/#/pupils/{noah_id}")
    page.get_by_role("dialog", name="This needs the authenticator").get_by_role(
        "button", name="Set up the authenticator").click()
    secret = phone.set_up(page)  # then back to Noah's page, which asks for a code
    prompt = page.get_by_role("dialog", name="Confirm it is you")
    prompt.get_by_label("Enter the 6-digit code from your authenticator").fill(phone.current_code(secret))
    prompt.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Noah Evans", level=1)).to_be_visible()
    expect(page.get_by_test_id("chronology")).to_contain_text(BULLYING)

    bullying_id = page.get_by_test_id("chronology-category").locator("option", has_text="Bullying").get_attribute("value")
    page.get_by_test_id("chronology-category").select_option(bullying_id)
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_test_id("chronology")).not_to_contain_text(WELLBEING)
    pdf_link = page.get_by_role("link", name="Download the chronology (PDF)")
    expect(pdf_link).to_have_attribute("href", f"/api/pupils/{noah_id}/chronology.pdf?category={bullying_id}")
    # The PDF's summary on screen: its charts for the filters shown, each with its table.
    pupil_charts = page.get_by_test_id("chronology-charts")
    pupil_charts.get_by_text("Summary: incidents by category and by month").click()
    expect(pupil_charts.locator("svg[role=img] > title", has_text="Incidents by category")).to_have_count(1)
    expect(pupil_charts.get_by_role("table", name="Incidents by category: the figures (incidents)")
           ).to_contain_text("Bullying")
    expect(page.get_by_role("link", name="Download the chronology (CSV)")).to_have_attribute(
        "href", f"/api/pupils/{noah_id}/chronology.csv?category={bullying_id}")
    screenshots_at(page, "reports-pupil", SIZES)
    with page.expect_download() as download:
        pdf_link.click()
    saved = tmp_path / "chronology.pdf"
    download.value.save_as(saved)
    text = re.sub(r"\s+", " ", pdf_text(saved))
    assert "Noah Evans" in text
    assert "took his lunch again by the gate" in text
    assert "not sleeping" not in text  # another category than the one chosen

    # --- the governors' report ----------------------------------------------------------------
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", name="Reports", level=1)).to_be_focused()
    expect(page.get_by_label("Report", exact=True)).to_have_value("governors")
    # Today alone: other tests' concerns in other months, one or two each, would be held
    # back as small numbers, and this month's count with them (so none can be worked out).
    # From the day of the earliest of Alice's concerns (yesterday, in the seconds after
    # midnight), to today.
    page.get_by_label("From", exact=True).fill(earliest.date().isoformat())
    page.get_by_role("button", name="Show").click()
    report = page.get_by_test_id("report")
    expect(report.get_by_role("heading", name="Governors’ safeguarding report")).to_be_focused()
    charts = report.locator("svg[role=img]")
    expect(charts).to_have_count(3)
    for title in ("Incidents by month", "Incidents by category", "Incidents by year group"):
        expect(report.locator("svg[role=img] > title", has_text=title)).to_have_count(1)
        table = report.get_by_role("table", name=f"{title}: the figures (incidents)")
        expect(table).to_be_visible()
    by_category = report.get_by_role("table", name="Incidents by category: the figures (incidents)")
    expect(by_category.get_by_role("row", name=re.compile(r"^Behaviour and relationships"))).to_be_visible()
    # This month's count is at least Alice's ten.
    by_month = report.get_by_role("table", name="Incidents by month: the figures (incidents)")
    expect(by_month.locator("tbody tr").last.locator("td")).to_have_text(re.compile(r"^\d{2,}$"))
    expect(report.get_by_test_id("report-total")).to_contain_text("incidents")
    # The charts keep their colours: the CSP would have refused style attributes.
    bar_fill = report.locator("svg[role=img] rect[fill^='rgb(0%']").first
    expect(bar_fill).to_be_attached()
    screenshots_at(page, "reports-governors", SIZES)

    with page.expect_download() as download:
        report.get_by_role("link", name="Download PDF").click()
    saved = tmp_path / "governors.pdf"
    download.value.save_as(saved)
    assert "Governors' safeguarding report" in pdf_text(saved)
    assert download.value.suggested_filename.startswith("governors-report-")

    # --- a period that ends before it starts -----------------------------------------------------
    problems.expect_refusal(400, "/api/reports/governors")
    page.get_by_label("From", exact=True).fill("2026-03-01")
    page.get_by_label("To", exact=True).fill("2026-02-01")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_test_id("page-error")).to_have_text(
        "'to' (01/02/2026) is before 'from' (01/03/2026).")
    expect(page.get_by_test_id("report")).to_have_count(0)

    # --- a usual period in one tap: last school year, 1 September to 31 August ---------------------
    today = datetime.now(ZoneInfo("Europe/London")).date()  # the school's time zone
    started = today.year if today.month >= 9 else today.year - 1
    page.get_by_role("group", name="Usual periods").get_by_role("button", name="Last school year").click()
    expect(page.get_by_label("From", exact=True)).to_have_value(f"{started - 1}-09-01")
    expect(page.get_by_label("To", exact=True)).to_have_value(f"{started}-08-31")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_test_id("report")).to_contain_text(
        f"01/09/{started - 1} to 31/08/{started}; compared with")
    assert not problems, f"the page reported problems:\n{problems}"
