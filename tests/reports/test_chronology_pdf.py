"""The case conference chronology PDF, read back as a reader would."""

from datetime import date, timedelta

import pytest

from haven import clock
from haven.audit.models import AuditEvent
from haven.incidents.models import Agency, Category
from haven.pupils.models import Pupil
from tests.conftest import CSRF, elevate_directly, sign_in
from tests.reports.pdf_text import A4_POINTS, fonts_used, page_sizes, pages_text


@pytest.fixture
async def story(app, client, oakfield, amy, frozen_clock):
    """Alice's concerns: Amy bullied (a bruise on the body map, the police told), Amy a
    witness to Noah's fight, Amy hungry (Neglect: DSL only), with a follow-up by Dina."""
    noah = await Pupil.create(school=oakfield.school, upn="U2", first_name="Noah",
                              last_name="Jones", date_of_birth=date(2014, 9, 1),
                              year_group="Year 7", form="7A")
    await sign_in(client, oakfield.alice)
    category = {name: (await Category.get(school=oakfield.school, name=name)).id
                for name in ("Bullying", "Neglect", "Mental health")}
    police = (await Agency.get(school=oakfield.school, name="Police")).id
    now = clock.now()

    async def record(pupil, account, name, days_ago, **more):
        response = await client.post("/api/incidents", headers=CSRF, json={
            "pupil_id": pupil.id, "account": account, "category_ids": [category[name]],
            "occurred_at": (now - timedelta(days=days_ago)).isoformat(), **more})
        assert response.status_code == 201, await response.get_json()
        return await response.get_json()

    bullied = await record(amy, "Amy said <Tom> & his friends hit her.", "Bullying", 40,
                           agency_ids=[police], body_map=[
                               {"view": "front", "x": 0.3, "y": 0.4,
                                "note": "Bruise on the left arm"},
                               {"view": "back", "x": 0.5, "y": 0.3, "note": ""}])
    await record(noah, "Noah pushed Sam in the line.", "Bullying", 20,
                 linked_pupils=[{"pupil_id": amy.id, "role": "witness"}])
    await record(amy, "Amy hungry again at break.", "Neglect", 5)
    await record(noah, "Noah upset, alone.", "Mental health", 3)
    dina = await _signed_in(app, oakfield.dina)
    await dina.post(f"/api/incidents/{bullied['id']}/actions", headers=CSRF,
                    json={"text": "Spoke to Amy's mother.", "agency_ids": [police]})
    return {"amy": amy, "dina": dina, "category": category, "bullied": bullied}


async def _signed_in(app, person, elevated: bool = True):
    client = app.test_client()
    await sign_in(client, person)
    if elevated:
        await elevate_directly(person.id)
    return client


async def _pdf(client, pupil, **query):
    return await client.get(f"/api/pupils/{pupil.id}/chronology.pdf", query_string=query)


async def test_a_dsl_downloads_every_entry_about_the_pupil(story, oakfield):
    response = await _pdf(story["dina"], story["amy"])
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    disposition = response.headers["Content-Disposition"]
    assert disposition == 'attachment; filename="chronology-U1-2026-11-30.pdf"'
    pages = pages_text(await response.get_data())
    text = "\n".join(pages)
    for heading in ("Case conference chronology", "Summary", "Incidents by category",
                    "Incidents per month", "Chronology"):
        assert heading in text
    assert "Incident 1," in text and "Incident 2," in text and "Incident 3," in text
    assert "Incident 4," not in text  # Noah's alone: Amy is not named in it
    assert "Amy said <Tom> & his friends hit her." in text
    assert "Action under incident 1" in text and "Spoke to Amy's mother." in text
    assert "This pupil: Witness" in text and "Agencies: Police" in text
    assert f"by {oakfield.alice.name}" in text


async def test_the_cover_names_the_pupil_and_who_produced_it(story, oakfield):
    cover = pages_text(await (await _pdf(story["dina"], story["amy"])).get_data())[0]
    for line in ("Amelia Jones (known as Amy)", "01/09/2014", "Year 7, 7A", "UPN", "U1",
                 "Everything recorded", "All those you may see",
                 f"{oakfield.dina.name}, 30/11/2026 08:40"):
        assert line in cover


async def test_every_page_is_a4_marked_numbered_with_embedded_fonts(story):
    pdf = await (await _pdf(story["dina"], story["amy"])).get_data()
    pages = pages_text(pdf)
    assert 3 <= len(pages) <= 8
    for number, text in enumerate(pages, start=1):
        assert "OFFICIAL-SENSITIVE" in text and f"Page {number} of {len(pages)}" in text
    assert page_sizes(pdf) == {A4_POINTS}
    assert all(font["embedded"] for font in fonts_used(pdf))


async def test_the_body_map_is_drawn_with_its_numbered_notes(story):
    from io import BytesIO

    from pypdf import PdfReader

    pdf = await (await _pdf(story["dina"], story["amy"])).get_data()
    reader = PdfReader(BytesIO(pdf))
    [page] = [p for p in reader.pages if "Body map" in p.extract_text()]
    text = page.extract_text()
    assert "1 (front): Bruise on the left arm" in text and "2 (back): No note." in text
    assert "Front" in text and "Back" in text
    # The outline's curves (the head, the hands): only the body map draws Bézier curves.
    assert page.get_contents().get_data().count(b" c\n") >= 8


async def test_restricted_categories_are_left_out_for_the_slt(app, story, oakfield):
    sam = await _signed_in(app, oakfield.sam)
    text = "\n".join(pages_text(await (await _pdf(sam, story["amy"])).get_data()))
    assert "Amy said <Tom>" in text
    assert "Amy hungry" not in text and "Neglect" not in text and "Incident 3," not in text


async def test_the_period_and_categories_choose_the_incidents(story):
    today = clock.now().date()
    recent = "\n".join(pages_text(await (await _pdf(
        story["dina"], story["amy"], **{"from": (today - timedelta(days=30)).isoformat(),
                                        "to": today.isoformat()})).get_data()))
    assert "Incident 2," in recent and "Incident 3," in recent
    assert "Incident 1," not in recent
    neglect = "\n".join(pages_text(await (await _pdf(
        story["dina"], story["amy"], category=story["category"]["Neglect"])).get_data()))
    assert "Incident 3," in neglect and "Incident 1," not in neglect
    assert "Categories\nNeglect" in neglect  # on the cover


async def test_several_categories_and_their_subcategories(story, oakfield):
    parent = (await Category.get(school=oakfield.school, name="Child protection")).id
    query = [("category", parent), ("category", story["category"]["Bullying"])]
    response = await story["dina"].get(f"/api/pupils/{story['amy'].id}/chronology.pdf",
                                       query_string=query)
    text = "\n".join(pages_text(await response.get_data()))
    assert all(f"Incident {n}," in text for n in (1, 2, 3))


async def test_the_download_is_audited_with_its_choices(story, oakfield):
    neglect = story["category"]["Neglect"]
    await _pdf(story["dina"], story["amy"], category=neglect, to="2026-11-29")
    event = await AuditEvent.get(action="chronology_pdf_downloaded")
    assert (event.actor_id, event.target_id) == (oakfield.dina.id, str(story["amy"].id))
    assert event.detail == {"from": None, "to": "2026-11-29", "categories": [neglect],
                            "incidents": 1}


@pytest.mark.parametrize("query, code", [
    ({"from": "yesterday"}, "VALIDATION_ERROR"),
    ({"category": "neglect"}, "VALIDATION_ERROR"),
    ({"from": "2026-11-30", "to": "2026-11-01"}, "INVALID_RANGE"),
    ({"category": 999_999}, "UNKNOWN_CATEGORY"),
])
async def test_bad_choices_are_refused(story, query, code):
    response = await _pdf(story["dina"], story["amy"], **query)
    assert response.status_code == 400
    assert (await response.get_json())["code"] == code
    assert not await AuditEvent.exists(action="chronology_pdf_downloaded")


async def test_staff_and_unelevated_key_holders_get_no_pdf(app, client, story, oakfield):
    assert (await _pdf(client, story["amy"])).status_code == 403  # Alice, staff
    dina = await _signed_in(app, oakfield.dina, elevated=False)
    response = await _pdf(dina, story["amy"])
    assert (await response.get_json())["code"] == "ELEVATION_REQUIRED"


async def test_another_schools_pupil_is_not_found(story, rita):
    from haven.schools.models import School

    theirs = await Pupil.create(school=await School.get(slug="riverside"), upn="R1",
                                first_name="Rosa", last_name="Other",
                                date_of_birth=date(2014, 1, 1), year_group="Year 7")
    assert (await _pdf(story["dina"], theirs)).status_code == 404


async def test_a_pupil_with_nothing_recorded_still_gets_a_chronology(app, oakfield):
    quiet = await Pupil.create(school=oakfield.school, upn="Q 1/2", first_name="Quinn",
                               last_name="Still", date_of_birth=date(2013, 5, 2),
                               year_group="Year 8")
    dina = await _signed_in(app, oakfield.dina)
    response = await _pdf(dina, quiet)
    assert response.status_code == 200
    assert "chronology-Q12-" in response.headers["Content-Disposition"]
    text = "\n".join(pages_text(await response.get_data()))
    assert "Nothing was recorded" in text and "No data to show" in text


# --- the same chronology as CSV, and its summary for the pupil's page ----------------------


async def test_as_csv_every_entry_a_row_in_order_and_audited(story, oakfield):
    answer = await story["dina"].get(f"/api/pupils/{story['amy'].id}/chronology.csv")
    assert answer.status_code == 200
    assert answer.headers["Content-Disposition"].startswith('attachment; filename="chronology-')
    body = await answer.get_data()
    assert body.startswith(b"\xef\xbb\xbf")  # the BOM, for Excel
    rows = body.decode("utf-8-sig").splitlines()
    assert rows[0].startswith("Entry,When,Incident,Recorded,By,Categories,This pupil")
    # In time order: the note was added today, after the three incidents.
    assert [row.split(",")[0] for row in rows[1:]] == ["Incident", "Incident", "Incident",
                                                       "Note"]
    assert "Amy said <Tom> & his friends hit her." in rows[1] and "Police" in rows[1]
    assert ",witness," in rows[2]
    assert await AuditEvent.filter(action="chronology_csv_downloaded").count() == 1


async def test_the_summary_counts_and_charts_what_the_reader_may_see(app, story, oakfield):
    answer = await story["dina"].get(f"/api/pupils/{story['amy'].id}/chronology/summary")
    summary = await answer.get_json()
    assert (summary["incidents"], summary["actions"]) == (3, 1)
    assert summary["by_category"] == [{"name": "Bullying", "count": 2},
                                      {"name": "Neglect", "count": 1}]
    assert [chart["key"] for chart in summary["charts"]] == ["by-category", "per-month"]
    assert 'role="img"' in summary["charts"][0]["svg"]
    sam = await _signed_in(app, oakfield.sam)  # Neglect is for the DSL alone
    hidden = await (await sam.get(f"/api/pupils/{story['amy'].id}/chronology/summary")
                    ).get_json()
    assert hidden["by_category"] == [{"name": "Bullying", "count": 2}]
    assert await AuditEvent.filter(action="chronology_summary_viewed").count() == 2


async def test_days_are_the_schools_in_summer_time_too(app, client, oakfield, amy):
    """00:30 on 1 June in London is 23:30 UTC on 31 May: it belongs to 1 June."""
    from datetime import UTC, datetime

    await sign_in(client, oakfield.alice)
    bullying = (await Category.get(school=oakfield.school, name="Bullying")).id
    response = await client.post("/api/incidents", headers=CSRF, json={
        "pupil_id": amy.id, "account": "Amy, just after midnight.", "category_ids": [bullying],
        "occurred_at": datetime(2026, 5, 31, 23, 30, tzinfo=UTC).isoformat()})
    assert response.status_code == 201
    dina = await _signed_in(app, oakfield.dina)

    async def incidents_on(day):
        answer = await dina.get(f"/api/pupils/{amy.id}/chronology/summary",
                                query_string={"from": day, "to": day})
        return (await answer.get_json())["incidents"]

    assert (await incidents_on("2026-06-01"), await incidents_on("2026-05-31")) == (1, 0)
