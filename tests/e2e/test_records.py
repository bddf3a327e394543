"""Safeguarding records in Chromium. Alice, a teacher, records a concern about Ben Carter
(Year 5, not the other Ben in Year 3) with Maya as a witness, a marker on the body map, a
photo, and Dina the DSL to alert. Dina sees the alert on her home screen, reads the
incident, marks it as read and adds an action; then, with the authenticator, she opens
Ben's page, whose chronology holds the incident and the action.

Screenshots of each screen at desktop, iPad and phone sizes go to the screenshot folder.
"""

import re
import struct
import zlib

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

SIZES = {"desktop": (1280, 800), "ipad": (820, 1180), "phone": (375, 812)}
ACCOUNT = (
    "At the start of PE I saw a dark bruise on Ben's left upper arm, about 3 cm across.\n"
    "Ben told me: \"I fell off my bike at the weekend.\"\n"
    "I told him I would pass it on to Mrs Safeguard, and I took a photo of the sleeve only."
)
MARKER_NOTE = "Bruise on the left upper arm, about 3 cm, blue-purple"
ACTION = "Spoke to Ben's mother by phone at 15:30; she confirmed the bike fall. No further action."


def tiny_png(width: int = 4, height: int = 4) -> bytes:
    """A real PNG of a few teal pixels, made by hand so the test needs no image library."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))
    rows = b"".join(b"\x00" + b"\x0b\x4f\x5c" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


def screenshots(page, screenshot_dir, name: str, *, whole_page: bool = True) -> None:
    """whole_page=False: what is on the screen, e.g. a dialog over the page."""
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(200)  # let the layout settle at the new width
        page.screenshot(path=str(screenshot_dir / f"records-{name}-{size}.png"),
                        full_page=whole_page)
        if not whole_page:
            continue
        # A long page on a phone, also a screen at a time, at a size a person can look at.
        full_height = page.evaluate("document.documentElement.scrollHeight")
        for part, top in enumerate(range(0, full_height, height)):
            clip = {"x": 0, "y": top, "width": width, "height": min(height, full_height - top)}
            page.screenshot(path=str(screenshot_dir / f"records-{name}-{size}-{part + 1}.png"),
                            full_page=True, clip=clip)
    page.set_viewport_size({"width": 1280, "height": 800})


def choose(page, search_testid: str, typed: str, option: re.Pattern) -> None:
    page.get_by_test_id(search_testid).fill(typed)
    page.get_by_role("option", name=option).click()


def test_alice_records_a_concern_and_dina_reads_it_acts_and_sees_the_chronology(
    page, problems, live_server, signed_in_as, phone, screenshot_dir, tmp_path
):
    alice, dina = live_server.alice, live_server.dina
    page.set_viewport_size({"width": 1280, "height": 800})
    photo = tmp_path / "sleeve.png"
    photo.write_bytes(tiny_png())

    # --- Alice records the concern ------------------------------------------------------
    signed_in_as(page, alice)
    page.get_by_test_id("record-concern").click()
    expect(page.get_by_role("heading", name="Record a concern", level=1)).to_be_focused()

    # Typed, then left at once: the matches that arrive late do not open over the next field.
    page.get_by_test_id("pupil-search").fill("Ben")
    page.keyboard.press("Tab")
    page.wait_for_timeout(600)  # longer than the typeahead's pause and the answer
    expect(page.get_by_role("listbox", name="Which pupil is this about?")).to_be_hidden()

    # Two Bens: the year and form tell her which is which.
    page.get_by_test_id("pupil-search").fill("Ben")
    expect(page.get_by_role("option")).to_have_count(2)
    expect(page.get_by_role("option", name=re.compile(r"^Ben Carterton, Year 3, form 3A$"))).to_be_visible()
    page.get_by_role("option", name=re.compile(r"^Ben Carter, Year 5, form 5B$")).click()
    chosen = page.get_by_test_id("chosen-pupil")
    expect(chosen).to_contain_text("Ben Carter")
    expect(chosen).to_contain_text("Year 5, form 5B")

    choose(page, "linked-pupil-search", "Maya", re.compile(r"^Maya Patel"))
    page.get_by_label("Role of Maya Patel").select_option("witness")
    # Maya is involved already: changing the pupil does not offer her as the main one.
    page.get_by_role("button", name="Change pupil").click()
    page.get_by_test_id("pupil-search").fill("Maya")
    expect(page.get_by_text("Nothing matches “Maya”.")).to_be_visible()
    choose(page, "pupil-search", "Ben Carter", re.compile(r"^Ben Carter, Year 5, form 5B$"))

    # Submitting too soon says what is missing, next to the button, and keeps the rest.
    page.get_by_test_id("submit-incident").click()
    expect(page.get_by_test_id("incident-error")).to_have_text("Choose at least one category.")
    # ...and beside the categories too, which may be a screen away from the button.
    beside = page.get_by_test_id("categories").get_by_test_id("field-problem")
    expect(beside).to_have_text("Choose at least one category.")
    expect(beside).to_be_in_viewport()
    expect(page.get_by_label("Role of Maya Patel")).to_have_value("witness")

    page.get_by_text("Child protection", exact=True).click()  # opens the heading
    page.get_by_label("Physical abuse").check()
    expect(page.get_by_text("Mark them on the body map.")).to_be_visible()
    expect(page.get_by_text("Do not promise to keep a secret", exact=False)).to_be_visible()

    expect(page.get_by_text("What you were told, in the child’s own words")).to_be_visible()
    page.get_by_label("What happened").fill(ACCOUNT)
    expect(page.get_by_text(f"{len(ACCOUNT)} of 20,000 characters")).to_be_visible()

    # A tap on the front outline, near the left upper arm, then the note.
    front = page.locator("[data-testid=body-map] svg[data-view=front]")
    box = front.bounding_box()
    front.click(position={"x": box["width"] * 0.76, "y": box["height"] * 0.28})
    note = page.get_by_label("Note for marker 1 (front)")
    expect(note).to_be_focused()
    note.fill(MARKER_NOTE)
    expect(page.get_by_test_id("body-map-marker")).to_have_count(1)
    # The marker's spoken label gains the note, and the row she is typing in stays put:
    # Tab goes on to its Remove button; Enter moves on, never submitting the record.
    expect(page.get_by_role("img", name=f"Marker 1 on the front: {MARKER_NOTE}. Arrow keys move it.")
           ).to_have_count(1)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Remove marker 1")).to_be_focused()
    note.press("Enter")
    expect(front).to_be_focused()
    expect(page.get_by_role("dialog", name="Submit this record?")).to_have_count(0)
    # Without a pointer: Enter on the back outline places a marker; then she removes it.
    back = page.locator("[data-testid=body-map] svg[data-view=back]")
    back.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("img", name="Marker 2 on the back. Arrow keys move it.")).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.get_by_role("button", name="Remove marker 2").click()
    expect(page.get_by_test_id("body-map-marker")).to_have_count(1)
    expect(note).to_have_value(MARKER_NOTE)

    page.get_by_test_id("attach-files").set_input_files(str(photo))
    expect(page.get_by_test_id("chosen-file")).to_contain_text("sleeve.png")

    expect(page.get_by_test_id("always-alerted")).to_contain_text("Always included (SLT)")
    choose(page, "staff-search", "Dina", re.compile(r"^Dina Safeguard"))
    expect(page.get_by_test_id("chosen-staff")).to_contain_text("Dina Safeguard")
    page.get_by_test_id("agencies").get_by_label("School nurse").check()

    expect(page.get_by_test_id("not-editable")).to_have_text(
        "This record cannot be edited after you submit it. Corrections are added as actions.")
    screenshots(page, screenshot_dir, "add-incident")

    page.get_by_test_id("submit-incident").click()
    expect(page.get_by_test_id("field-problem")).to_have_count(0)
    confirm = page.get_by_role("dialog", name="Submit this record?")
    expect(confirm).to_contain_text("Ben Carter")
    expect(confirm).to_contain_text("Year 5, form 5B")
    expect(confirm).to_contain_text("Maya Patel (Year 5, form 5B), witness")
    expect(confirm.get_by_role("button", name="Go back and check")).to_be_focused()
    screenshots(page, screenshot_dir, "confirm", whole_page=False)
    confirm.get_by_role("button", name="Submit the record").click()

    recorded = page.get_by_test_id("incident-recorded")
    expect(recorded).to_be_focused()
    expect(recorded).to_have_text(re.compile(r"^Incident \d+ recorded$"))
    number = re.search(r"\d+", recorded.inner_text()).group()
    expect(page.get_by_text("Alerted:")).to_contain_text("Dina Safeguard")
    page.get_by_role("link", name=f"View incident {number}").click()
    expect(page.get_by_role("heading", name=f"Incident {number}", level=1)).to_be_visible()
    # Home lists it among her own records.
    page.get_by_test_id("nav-home").click()
    mine = page.get_by_test_id("my-incident").filter(has_text=f"Incident {number}:")
    expect(mine).to_contain_text("Ben Carter (Year 5, form 5B)")
    expect(mine).to_contain_text("Physical abuse")
    assert mine.get_by_role("link").bounding_box()["height"] >= 44  # a finger's tap target
    mine.get_by_role("link").click()
    expect(page.get_by_role("heading", name=f"Incident {number}", level=1)).to_be_visible()
    # Alice alerted no one but Dina: there is nothing for her to mark as read.
    expect(page.get_by_test_id("mark-read")).to_be_hidden()
    page.get_by_test_id("sign-out").click()
    expect(page.get_by_test_id("login-status")).to_have_text("You have signed out.")

    # --- Dina reads it, marks it as read and adds an action -----------------------------
    signed_in_as(page, dina)
    alert = page.get_by_test_id("unread-alert").filter(has_text=f"Incident {number}:")
    expect(alert).to_contain_text("Physical abuse")
    expect(alert).to_contain_text(f"Raised by {alice.name}")
    screenshots(page, screenshot_dir, "home")
    alert.get_by_role("link").click()

    expect(page.get_by_role("heading", name=f"Incident {number}", level=1)).to_be_visible()
    expect(page.get_by_test_id("incident-account")).to_have_text(ACCOUNT)
    expect(page.get_by_test_id("incident-pupil")).to_have_text("Ben Carter (Year 5, form 5B)")
    expect(page.get_by_test_id("incident-linked")).to_contain_text("Maya Patel (Year 5, form 5B), witness")
    expect(page.get_by_test_id("incident-categories")).to_have_text("Physical abuse")
    expect(page.get_by_test_id("incident-agencies")).to_have_text("School nurse")
    expect(page.get_by_test_id("body-map-marker")).to_have_count(1)
    expect(page.get_by_test_id("body-map-note")).to_contain_text(MARKER_NOTE)
    file_link = page.get_by_test_id("file-link").filter(has_text="sleeve.png")
    expect(file_link).to_have_attribute("href", re.compile(r"^/api/files/\d+$"))
    with page.expect_download() as download:
        file_link.click()
    assert download.value.path().read_bytes() == photo.read_bytes()

    page.get_by_test_id("mark-read").click()
    expect(page.get_by_test_id("incident-status")).to_contain_text("Marked as read at")
    expect(page.get_by_test_id("mark-read")).to_be_hidden()
    expect(page.get_by_test_id("incident-alerts").get_by_role("listitem").filter(
        has_text=dina.name)).to_contain_text("Read")

    page.get_by_label("What was done", exact=True).fill(ACTION)
    page.get_by_test_id("add-action").click()
    expect(page.get_by_test_id("incident-status")).to_have_text("Your action has been added.")
    action = page.get_by_test_id("incident-action")
    expect(action).to_have_count(1)
    expect(action).to_contain_text(ACTION)
    expect(action).to_contain_text("Note")
    expect(page.get_by_label("What was done", exact=True)).to_have_value("")
    screenshots(page, screenshot_dir, "incident")

    # --- Dina opens Ben's page, stepping up with the authenticator ------------------------
    ben = page.request.get("/api/pupils?q=Ben Carter").json()["pupils"][0]
    problems.expect_refusal(403, f"/api/pupils/{ben['id']}/chronology")  # before she steps up
    page.get_by_test_id("incident-pupil").get_by_role("link").click()
    prompt = page.get_by_role("dialog", name="This needs the authenticator")
    expect(prompt).to_be_visible()
    prompt.get_by_role("button", name="Set up the authenticator").click()
    secret = phone.set_up(page)
    prompt = page.get_by_role("dialog", name="Confirm it is you")
    expect(prompt).to_be_visible()
    prompt.get_by_label("Enter the 6-digit code from your authenticator").fill(
        phone.current_code(secret))
    prompt.get_by_role("button", name="Continue").click()
    expect(prompt).to_have_count(0)

    expect(page.get_by_role("heading", name="Ben Carter", level=1)).to_be_visible()
    expect(page.get_by_test_id("pupil-year-form")).to_have_text("Year 5, form 5B")
    expect(page.get_by_test_id("pupil-dob")).to_have_text("14/05/2016")
    entries = page.get_by_test_id("chronology-entry")
    expect(entries).to_have_count(2)
    expect(entries.nth(0)).to_contain_text(f"Incident {number}: Physical abuse")
    expect(entries.nth(0)).to_contain_text("this pupil: subject")
    assert entries.nth(0).get_by_role("link").bounding_box()["height"] >= 44
    expect(entries.nth(1)).to_contain_text(f"Note on Incident {number}")
    expect(entries.nth(1)).to_contain_text(ACTION)
    expect(page.get_by_test_id("chronology-summary")).to_have_text("1–2 of 2, earliest first.")

    # A category with nothing in it leaves the chronology empty.
    category = page.get_by_test_id("chronology-category")
    category.select_option(category.locator("option", has_text="Bullying").get_attribute("value"))
    # While the page loads, Show cannot be pressed again.
    held = []
    chronology = re.compile(r"/api/pupils/\d+/chronology")
    page.route(chronology, lambda route: held.append(route))
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("button", name="Show")).to_be_disabled()
    held[0].continue_()
    page.unroute(chronology)
    expect(page.get_by_role("button", name="Show")).to_be_enabled()
    expect(entries).to_have_count(0)
    expect(page.get_by_test_id("chronology-summary")).to_have_text("Nothing recorded for these filters.")
    category.select_option("")
    # Dates go with their offset ("+00:00", encoded): today keeps both, tomorrow none.
    today = page.evaluate("new Date().toLocaleDateString('sv')")  # YYYY-MM-DD, local
    tomorrow = page.evaluate("new Date(Date.now() + 864e5).toLocaleDateString('sv')")
    page.get_by_label("From", exact=True).fill(tomorrow)
    page.get_by_role("button", name="Show").click()
    expect(entries).to_have_count(0)
    page.get_by_label("From", exact=True).fill(today)
    page.get_by_label("To", exact=True).fill(today)
    page.get_by_role("button", name="Show").click()
    expect(entries).to_have_count(2)
    screenshots(page, screenshot_dir, "pupil")

    # Maya's chronology names her as the witness.
    maya = page.request.get("/api/pupils?q=Maya").json()["pupils"][0]
    page.goto(f"/#/pupils/{maya['id']}")
    expect(page.get_by_role("heading", name="Maya Patel", level=1)).to_be_visible()
    expect(page.get_by_test_id("chronology-entry").first).to_contain_text("this pupil: witness")
    assert not problems, f"the page reported problems:\n{problems}"


def fill_in_a_concern_about_ben(page, account: str) -> None:
    """The least a concern needs: the pupil, a category, what happened."""
    page.get_by_test_id("record-concern").click()
    choose(page, "pupil-search", "Ben Carter", re.compile(r"^Ben Carter, Year 5"))
    page.get_by_text("Child protection", exact=True).click()  # opens the heading
    page.get_by_label("Physical abuse").check()
    page.get_by_label("What happened").fill(account)


def submit_and_confirm(page) -> None:
    page.get_by_test_id("submit-incident").click()
    page.get_by_role("dialog", name="Submit this record?").get_by_role(
        "button", name="Submit the record").click()


def test_a_concern_whose_answer_was_lost_is_explained_and_a_second_one_can_still_be_made(
    page, problems, live_server, signed_in_as
):
    alice = live_server.alice
    page.set_viewport_size({"width": 1280, "height": 800})
    signed_in_as(page, alice)
    fill_in_a_concern_about_ben(page, "Ben said he was hungry; no breakfast again.")

    # The server records the first attempt, but its answer never reaches the browser.
    lost = []

    def lose_the_first_answer(route):
        if route.request.method == "POST" and not lost:
            lost.append(route.fetch())
            route.abort()
        else:
            route.continue_()

    page.route("**/api/incidents", lose_the_first_answer)
    submit_and_confirm(page)
    error = page.get_by_test_id("incident-error")
    expect(error).to_contain_text("may have been recorded")
    expect(error).to_contain_text("Sending it again unchanged is safe")
    assert lost and lost[0].status == 201

    # She adds to the account and submits again: the old key cannot carry a new body.
    problems.expect_refusal(422, "/api/incidents")
    page.get_by_label("What happened").fill("Ben said he was hungry; no breakfast again. Seen at 9:10.")
    submit_and_confirm(page)
    expect(error).to_contain_text("Your first attempt was already recorded")
    expect(error.get_by_role("link", name="the home page")).to_have_attribute("href", "#/")

    # If she really means a second record, submitting once more makes it.
    submit_and_confirm(page)
    expect(page.get_by_test_id("incident-recorded")).to_be_visible()
    page.get_by_test_id("nav-home").click()
    mine = page.get_by_test_id("my-incident").filter(has_text="Ben Carter")
    expect(mine.first).to_be_visible()
    unexpected = [line for line in problems.lines if "net::ERR_FAILED" not in line]
    assert not unexpected, "\n".join(unexpected)


def test_the_categories_can_be_loaded_again_and_missing_agencies_do_not_hide_them(
    page, problems, live_server, signed_in_as
):
    alice = live_server.alice
    signed_in_as(page, alice)
    failed = []

    def fail_the_first_categories(route):
        if not failed:
            failed.append(route.request.url)
            route.fulfill(status=500, content_type="application/json",
                          body='{"code": "INTERNAL", "message": "The server failed."}')
        else:
            route.continue_()

    page.route("**/api/categories", fail_the_first_categories)
    page.route("**/api/agencies", lambda route: route.fulfill(
        status=500, content_type="application/json",
        body='{"code": "INTERNAL", "message": "The server failed."}'))
    problems.expect_refusal(500, "/api/categories")
    problems.expect_refusal(500, "/api/agencies")

    page.get_by_test_id("record-concern").click()
    expect(page.get_by_test_id("categories-error")).to_contain_text(
        "Haven could not load the categories.")
    expect(page.get_by_test_id("agencies-missing")).to_have_text(
        "Agencies could not be loaded; you can add them later as an action.")
    page.get_by_label("What happened").fill("Typed before the categories came.")

    page.get_by_role("button", name="Try again").click()
    expect(page.get_by_label("Physical abuse")).to_be_attached()
    expect(page.get_by_test_id("categories-error")).to_have_count(0)
    expect(page.get_by_label("What happened")).to_have_value("Typed before the categories came.")
    assert not problems, f"the page reported problems:\n{problems}"


def test_a_late_answer_after_the_blank_screen_does_not_put_the_incident_in_the_title(
    page, problems, live_server, signed_in_as
):
    alice = live_server.alice
    signed_in_as(page, alice)
    ben = page.request.get("/api/pupils?q=Ben Carter").json()["pupils"][0]
    category = next(c for c in page.request.get("/api/categories").json()["categories"]
                    if c["name"] == "Physical abuse")
    incident = page.request.post("/api/incidents", headers={"X-Requested-With": "haven"}, data={
        "pupil_id": ben["id"], "linked_pupils": [], "category_ids": [category["id"]],
        "account": "A late answer must not name it.", "occurred_at": "2026-01-05T09:00:00+00:00",
        "agency_ids": [], "body_map": [], "alert_user_ids": [],
    }).json()

    # The server answers at once, but the answer reaches the page only after she has
    # blanked the screen (once blanked, the server would refuse the request).
    held = []
    page.route(f"**/api/incidents/{incident['id']}",
               lambda route: held.append((route, route.fetch())))
    page.evaluate(f"window.location.hash = '#/incidents/{incident['id']}'")
    expect(page.get_by_text("Loading the incident…")).to_be_visible()
    page.get_by_role("button", name="Blank screen").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    for _ in range(50):  # the route handler keeps the answer once the server has given it
        if held:
            break
        page.wait_for_timeout(100)
    assert held
    try:
        route, answer = held[0]
        route.fulfill(response=answer)
    except PlaywrightError:
        pass  # the page gave up on the request when the screen was blanked, as it should
    page.wait_for_timeout(500)  # time for a late answer to be (not) shown
    assert page.title() == "Haven"
    assert not problems, f"the page reported problems:\n{problems}"


def test_a_concern_still_being_recorded_is_asked_about_again_after_retry_after(
    page, problems, live_server, signed_in_as
):
    signed_in_as(page, live_server.alice)
    fill_in_a_concern_about_ben(page, "Ben was crying at the gate.")
    keys = []  # the Idempotency-Key of each attempt

    def busy_the_first_time(route):
        keys.append(route.request.headers.get("idempotency-key"))
        if len(keys) == 1:
            route.fulfill(status=409, headers={"Retry-After": "1"}, content_type="application/json",
                          body='{"code": "IN_PROGRESS", "message": "Still being recorded."}')
        else:
            route.continue_()

    page.route("**/api/incidents", busy_the_first_time)
    problems.expect_refusal(409, "/api/incidents")
    submit_and_confirm(page)
    expect(page.get_by_test_id("incident-recorded")).to_be_visible()
    assert len(keys) == 2 and keys[0] == keys[1]  # asked again, once, as the same record
    # A record with no body map, files or others involved shows no stray "null" for them.
    page.get_by_test_id("view-incident").click()
    expect(page.get_by_test_id("incident-account")).to_have_text("Ben was crying at the gate.")
    assert "null" not in page.locator("main").inner_text()
    assert not problems, f"the page reported problems:\n{problems}"
