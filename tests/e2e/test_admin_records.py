"""The administration of safeguarding reference data in Chromium: Adam, the school's
administrator, steps up with the authenticator, adds a DSL-only subcategory with guidance
for staff, makes it urgent with an escalation after 20 minutes and then takes the
escalation off, renames an agency, and imports pupils from a SIMS export with one bad
row: the preview shows the bad row and changes nothing, the import skips it.

Screenshots of each screen at desktop, iPad and phone sizes go to the screenshot folder.
"""

import re
import sqlite3
import time

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

SIZES = {"desktop": (1280, 800), "ipad": (820, 1180), "phone": (375, 812)}

SIMS_HEADINGS = "UPN,Legal Forename,Preferred Forename,Legal Surname,DOB,Year,Reg,Gender"
# Line 3 (the heading is line 1) has a date of birth that does not exist.
SIMS_EXPORT = "\r\n".join([
    SIMS_HEADINGS,
    "Z900000000001,Zebedee,Zeb,Quartermaine,14/03/2016,4,4Q,M",
    "Z900000000002,Yolanda,,Quartermaine,31/02/2017,3,3Q,F",
    "Z900000000003,Xanthe,,Pemberton-Quayle,02/09/2015,5,5Q,F",
    "Z900000000004,Wilbur,,Quimby,21/11/2018,1,1Q,M",
    "",
])
# One of those pupils, as a file of one class might be sent by mistake.
ONE_PUPIL = "\r\n".join([SIMS_HEADINGS, "Z900000000001,Zebedee,Zeb,Quartermaine,14/03/2016,4,4Q,M", ""])

OTHER_MIS = "Pupil UPN,Forename,Surname,Birth date,NC Year\r\nZ900000000009,Violet,Quennell,2017-06-01,R\r\n"


def csv_file(text: str, name: str = "sims-export.csv") -> dict:
    return {"name": name, "mimeType": "text/csv", "buffer": text.encode()}


def adams_authenticator(live_server):
    """Adam's key and the last step he used, if an earlier test of this session set up
    his authenticator (test_staff_admin does): read as the phone app holds it, from the
    server's own database and key."""
    from haven.accounts import totp
    from haven.keys import load_totp_key

    with sqlite3.connect(live_server.data_dir / "haven.sqlite3") as db:
        row = db.execute(
            "SELECT id, totp_secret, totp_last_step FROM user WHERE email = ?",
            (live_server.adam.email,),
        ).fetchone()
    if row is None or row[1] is None:
        return None, None
    totp.use_key(load_totp_key(live_server.data_dir))
    return totp.decrypt_secret(row[0], row[1]), row[2]


def wait_for_a_fresh_step(page, last_step: int | None) -> None:
    # Each 30-second step is accepted once per person.
    while last_step is not None and int(time.time() // 30) <= last_step:
        page.wait_for_timeout(500)


@pytest.fixture
def adams_phone(page, live_server, phone):
    """Steps Adam up whatever order the test modules ran in: he may or may not have an
    authenticator yet. One this test sets up is removed at the end, so the tests after it
    find Adam as the fixtures made him (test_staff_admin sets his up itself)."""
    enrolled_here = {}

    def step_up() -> None:
        """Answer the elevation prompt that the first admin page brings up."""
        prompt = page.get_by_role("dialog")
        expect(prompt).to_be_visible()
        if prompt.get_by_role("heading").inner_text() == "This needs the authenticator":
            prompt.get_by_role("button", name="Set up the authenticator").click()
            secret = phone.set_up(page)
            enrolled_here["secret"] = secret
        else:
            secret, last_step = adams_authenticator(live_server)
            wait_for_a_fresh_step(page, last_step)
        prompt = page.get_by_role("dialog", name="Confirm it is you")
        expect(prompt).to_be_visible()
        prompt.get_by_label("Enter the 6-digit code from your authenticator").fill(
            phone.current_code(secret)
        )
        prompt.get_by_role("button", name="Continue").click()
        expect(prompt).to_have_count(0)

    yield step_up
    if "secret" in enrolled_here and not page.is_closed():
        # A recovery code: this step's code may be spent, and the next is up to 30 s away.
        removed = page.request.delete(
            "/api/me/totp",
            data={"password": live_server.adam.password, "code": phone.recovery_codes[0]},
            headers={"X-Requested-With": "haven"},
        )
        assert removed.status == 204, removed.text()


def screenshots(page, screenshot_dir, name: str, full_page: bool = True, show=None) -> None:
    """show: a locator to scroll into view at each size (a field low in a dialog)."""
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(200)  # let the layout settle at the new width
        if show is not None:
            show.scroll_into_view_if_needed()
        page.screenshot(path=str(screenshot_dir / f"admin-{name}-{size}.png"), full_page=full_page)
    page.set_viewport_size({"width": 1280, "height": 800})


def api_get(page, path: str) -> dict:
    # page.request shares the page's cookies, so it asks as Adam, elevated.
    response = page.request.get(path)
    assert response.ok, f"{path}: {response.status} {response.text()}"
    return response.json()


def test_adam_adds_a_dsl_only_subcategory_renames_an_agency_and_imports_pupils(
    page, problems, live_server, signed_in_as, adams_phone, screenshot_dir
):
    adam = live_server.adam
    problems.expect_refusal(403, "/api/admin/users")  # before he steps up
    problems.expect_refusal(409, "/api/admin/categories")  # a name already taken
    page.set_viewport_size({"width": 1280, "height": 800})
    signed_in_as(page, adam)

    # --- categories ---------------------------------------------------------------------
    page.get_by_role("link", name="Staff and admin").click()
    adams_phone()
    expect(page.get_by_role("heading", name="Staff accounts", level=1)).to_be_visible()
    page.get_by_role("navigation", name="Administration").get_by_role(
        "link", name="Categories").click()
    expect(page.get_by_role("heading", name="Categories", level=1)).to_be_focused()
    expect(page.get_by_test_id("admin-nav-categories")).to_have_attribute("aria-current", "page")
    expect(page.get_by_test_id("nav-staff")).to_have_attribute("aria-current", "page")
    child_protection = page.get_by_test_id("category").filter(
        has=page.get_by_role("heading", name="Child protection", exact=True))
    expect(child_protection.get_by_test_id("category-restriction").first).to_have_text("DSL only")
    expect(child_protection.get_by_test_id("category-alerts").first).to_have_text("alerts: DSL")

    page.get_by_role("button", name="Add a subcategory to Wellbeing").click()
    dialog = page.get_by_role("dialog", name="Add a subcategory to Wellbeing")
    expect(dialog.get_by_label("Name")).to_be_focused()
    expect(dialog.get_by_label("Under")).to_have_value(re.compile(r"^\d+$"))
    guidance = ("What the child ate or refused, and what they said about food. "
                "Tell the DSL the same day.")
    dialog.get_by_label("Name").fill("Bereavement or loss")  # already under Wellbeing
    dialog.get_by_label("Guidance for staff").fill(guidance)
    dialog.get_by_label("DSL", exact=True).check()
    dialog.get_by_role("button", name="Add", exact=True).click()
    expect(dialog.get_by_role("alert")).to_have_text(
        "There is already a category 'Bereavement or loss' there.")
    # Nothing typed is lost: he changes the name only.
    expect(dialog.get_by_label("Guidance for staff")).to_have_value(guidance)
    expect(dialog.get_by_label("DSL", exact=True)).to_be_checked()
    dialog.get_by_label("Name").fill("Eating difficulties")
    screenshots(page, screenshot_dir, "category-dialog", full_page=False)
    dialog.get_by_role("button", name="Add", exact=True).click()
    expect(dialog).to_have_count(0)
    expect(page.get_by_test_id("categories-status")).to_have_text("Eating difficulties has been added.")
    added = page.get_by_test_id("subcategory").filter(
        has=page.get_by_role("heading", name="Eating difficulties"))
    expect(added.get_by_role("heading")).to_be_focused()
    expect(added.get_by_test_id("category-restriction")).to_have_text("DSL only")
    expect(added.get_by_test_id("category-guidance")).to_have_text(guidance)
    wellbeing = page.get_by_test_id("category").filter(
        has=page.get_by_role("heading", name="Wellbeing", exact=True))
    expect(wellbeing.get_by_test_id("subcategory").last).to_contain_text("Eating difficulties")

    categories = api_get(page, "/api/admin/categories")["categories"]
    parent = next(c for c in categories if c["name"] == "Wellbeing")
    saved = next(c for c in categories if c["name"] == "Eating difficulties")
    assert saved["parent_id"] == parent["id"]
    assert saved["visible_to_roles"] == ["dsl"]
    assert saved["guidance"] == guidance
    assert saved["active"] is True
    assert saved["urgent"] is False  # as Wellbeing, its parent
    assert saved["escalate_after_minutes"] is None

    # --- urgency and escalation -----------------------------------------------------------
    # The seeded Child protection comes through quiet hours and escalates after 15 minutes.
    expect(child_protection.get_by_test_id("category-urgent").first).to_have_text("urgent")
    expect(child_protection.get_by_test_id("category-escalation").first).to_have_text(
        "escalates after 15 minutes")
    page.get_by_role("button", name="Change Child protection", exact=True).click()
    dialog = page.get_by_role("dialog", name="Change Child protection")
    expect(dialog.get_by_label("Urgent: alerts come through quiet hours")).to_be_checked()
    expect(dialog.get_by_label("Escalate if not read")).to_have_value("15")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)

    # Adam makes Eating difficulties urgent, escalating after 20 minutes.
    page.get_by_role("button", name="Change Eating difficulties", exact=True).click()
    dialog = page.get_by_role("dialog", name="Change Eating difficulties")
    urgent = dialog.get_by_label("Urgent: alerts come through quiet hours")
    escalation = dialog.get_by_label("Escalate if not read")
    expect(urgent).not_to_be_checked()
    expect(escalation).to_have_value("")
    urgent.check()
    # The browser holds back a number the server would refuse.
    escalation.fill("0")
    dialog.get_by_role("button", name="Save").click()
    assert escalation.evaluate("input => input.validity.rangeUnderflow")
    expect(dialog).to_be_visible()
    escalation.fill("20")
    screenshots(page, screenshot_dir, "category-urgency", full_page=False, show=escalation)
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_have_count(0)
    expect(page.get_by_test_id("categories-status")).to_have_text("Eating difficulties is saved.")
    expect(added.get_by_test_id("category-urgent")).to_have_text("urgent")
    expect(added.get_by_test_id("category-escalation")).to_have_text("escalates after 20 minutes")
    saved = next(c for c in api_get(page, "/api/admin/categories")["categories"]
                 if c["name"] == "Eating difficulties")
    assert saved["urgent"] is True
    assert saved["escalate_after_minutes"] == 20

    # Reopened, the dialog shows both; he empties the minutes and it no longer escalates.
    page.get_by_role("button", name="Change Eating difficulties", exact=True).click()
    dialog = page.get_by_role("dialog", name="Change Eating difficulties")
    expect(dialog.get_by_label("Urgent: alerts come through quiet hours")).to_be_checked()
    expect(dialog.get_by_label("Escalate if not read")).to_have_value("20")
    dialog.get_by_label("Escalate if not read").fill("")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_have_count(0)
    expect(added.get_by_test_id("category-escalation")).to_have_count(0)
    expect(added.get_by_test_id("category-urgent")).to_have_text("urgent")
    saved = next(c for c in api_get(page, "/api/admin/categories")["categories"]
                 if c["name"] == "Eating difficulties")
    assert saved["urgent"] is True
    assert saved["escalate_after_minutes"] is None
    screenshots(page, screenshot_dir, "categories")

    # --- agencies -----------------------------------------------------------------------
    page.get_by_test_id("admin-nav-agencies").click()
    expect(page.get_by_role("heading", name="Agencies", level=1)).to_be_focused()
    page.get_by_role("button", name="Rename Early help").click()
    dialog = page.get_by_role("dialog", name="Rename Early help")
    dialog.get_by_label("Name").fill("Early help hub")
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("agencies-status")).to_have_text(
        "Early help is now called Early help hub.")
    expect(page.get_by_role("heading", name="Early help hub")).to_be_focused()
    # ... and moves it to the top of the list.
    page.get_by_role("button", name="Move Early help hub up").click()
    expect(page.get_by_test_id("agencies-status")).to_have_text("Early help hub moved up.")
    page.get_by_role("button", name="Move Early help hub up").click()
    expect(page.get_by_test_id("agency").nth(0)).to_contain_text("Early help hub")
    agencies = [a["name"] for a in api_get(page, "/api/agencies")["agencies"]]
    assert agencies[0] == "Early help hub"
    assert "Early help" not in agencies
    screenshots(page, screenshot_dir, "agencies")

    # --- pupil import ---------------------------------------------------------------------
    page.get_by_test_id("admin-nav-pupils").click()
    expect(page.get_by_role("heading", name="Pupil import", level=1)).to_be_focused()
    page.get_by_label("CSV file of pupils").set_input_files(csv_file(SIMS_EXPORT))
    page.get_by_label("Where the file comes from").select_option("sims")
    # Other tests' pupils share this school: a file of some pupils leaves them alone.
    page.get_by_label("This file lists only some pupils").check()
    page.get_by_role("button", name="Preview").click()

    results = page.get_by_test_id("import-results")
    expect(results.get_by_role("heading", name="Preview: nothing has changed yet")).to_be_focused()
    expect(results.get_by_test_id("count-created")).to_have_text("3")
    expect(results.get_by_test_id("count-skipped")).to_have_text("1")
    bad_row = results.get_by_test_id("import-error")
    expect(bad_row).to_have_count(1)
    expect(bad_row).to_contain_text("3")
    expect(bad_row).to_contain_text("date of birth")
    expect(bad_row).to_contain_text("'31/02/2017' is not a date")
    # Nothing is imported by a preview.
    assert api_get(page, "/api/pupils?q=Quartermaine")["pupils"] == []

    # Import refuses a file with a bad row until he says to skip it.
    results.get_by_role("button", name="Import").click()
    expect(page.get_by_test_id("import-run-error")).to_contain_text("Tick “Skip this row”")
    assert api_get(page, "/api/pupils?q=Quartermaine")["pupils"] == []
    screenshots(page, screenshot_dir, "pupils-preview")
    results.get_by_label("Skip this row").check()
    results.get_by_role("button", name="Import").click()

    expect(results.get_by_role("heading", name="The pupils are imported")).to_be_focused()
    expect(results.get_by_test_id("count-created")).to_have_text("3")
    expect(results.get_by_test_id("count-updated")).to_have_text("0")
    expect(results.get_by_test_id("count-marked_left")).to_have_text("0")
    expect(results.get_by_test_id("count-skipped")).to_have_text("1")
    expect(results.get_by_test_id("import-error")).to_contain_text("'31/02/2017' is not a date")
    expect(page.get_by_test_id("import-status")).to_have_text("The pupils are imported.")
    found = {p["name"] for p in api_get(page, "/api/pupils?q=Quartermaine")["pupils"]}
    assert len(found) == 1 and "Quartermaine" in found.pop()  # Zebedee; Yolanda was skipped
    assert len(api_get(page, "/api/pupils?q=Pemberton")["pupils"]) == 1
    screenshots(page, screenshot_dir, "pupils-imported")

    # A whole-school file with one pupil in it: Haven warns before marking the rest as left.
    page.get_by_label("CSV file of pupils").set_input_files(csv_file(ONE_PUPIL, "one-class.csv"))
    page.get_by_label("Where the file comes from").select_option("sims")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_test_id("leavers-warning")).to_contain_text("Is this the whole school?")
    expect(results.get_by_test_id("count-unchanged")).to_have_text("1")
    screenshots(page, screenshot_dir, "pupils-leavers-warning")

    # Another MIS: he names the columns of its file himself.
    page.get_by_label("CSV file of pupils").set_input_files(csv_file(OTHER_MIS, "other-mis.csv"))
    page.get_by_label("Where the file comes from").select_option("own")
    columns = page.get_by_role("group", name="The headings of your file’s columns")
    for field, heading in (("UPN", "Pupil UPN"), ("Legal first name", "Forename"),
                           ("Legal last name", "Surname"), ("Date of birth", "Birth date"),
                           ("Year group", "NC Year")):
        columns.get_by_label(field, exact=True).fill(heading)
    page.get_by_label("This file lists only some pupils").check()
    page.get_by_role("button", name="Preview").click()
    expect(results.get_by_test_id("count-created")).to_have_text("1")
    expect(results.get_by_test_id("count-marked_left")).to_have_text("0")
    expect(page.get_by_test_id("leavers-warning")).to_have_count(0)
    assert not problems, f"the page reported problems:\n{problems}"
