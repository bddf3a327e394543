"""Patterns: pupils with several concerns in a few days, pupils and categories whose
concerns rise against their own past (GET /api/reports/patterns)."""

from collections import Counter
from datetime import date, timedelta

import pytest

from haven import clock
from haven.audit.models import AuditEvent
from haven.incidents.models import Category
from haven.pupils.models import Pupil
from haven.reports.patterns import PAST_PERIODS, Thresholds, _rises
from tests.conftest import CSRF, elevate_directly, sign_in
from tests.reports.pdf_text import pages_text

# (pupil, category, days ago, linked pupils): the story the tests count from themselves.
STORY = [
    ("Amy", "Bullying", 1, ()),
    ("Amy", "Bullying", 3, ()),
    ("Noah", "Bullying", 6, ("Amy",)),  # Amy as a witness: it names her too
    ("Amy", "Bullying", 20, ()),
    ("Noah", "Bullying", 2, ()),
    ("Noah", "Bullying", 100, ()),
    ("Zoe", "Neglect", 1, ()),  # Neglect is for the DSL alone
    ("Zoe", "Neglect", 2, ()),
    ("Zoe", "Neglect", 4, ()),
]


@pytest.fixture
async def story(app, client, oakfield):
    pupils = {name: await Pupil.create(school=oakfield.school, upn=f"U{n}", first_name=name,
                                       last_name="Jones", date_of_birth=date(2014, 9, 1),
                                       year_group="Year 7", form="7A")
              for n, name in enumerate(("Amy", "Noah", "Zoe"))}
    categories = {c.name: c.id for c in await Category.filter(school=oakfield.school)}
    await sign_in(client, oakfield.alice)
    now = clock.now()
    for pupil, category, days_ago, linked in STORY:
        response = await client.post("/api/incidents", headers=CSRF, json={
            "pupil_id": pupils[pupil].id, "account": f"{pupil}, {days_ago} days ago.",
            "category_ids": [categories[category]],
            "occurred_at": (now - timedelta(days=days_ago, minutes=5)).isoformat(),
            "linked_pupils": [{"pupil_id": pupils[p].id, "role": "witness"} for p in linked]})
        assert response.status_code == 201, await response.get_json()
    return pupils


def named_within(days: int, *, visible=lambda category: True) -> Counter:
    """How many of STORY's incidents name each pupil in the last `days` days."""
    counts: Counter = Counter()
    for pupil, category, days_ago, linked in STORY:
        if days_ago < days and visible(category):
            counts.update([pupil, *linked])
    return counts


async def _patterns(app, person):
    reader = app.test_client()
    await sign_in(reader, person)
    await elevate_directly(person.id)
    response = await reader.get("/api/reports/patterns")
    assert response.status_code == 200, await response.get_json()
    return await response.get_json()


async def test_the_dsl_sees_every_pupil_with_three_concerns_in_seven_days(app, story, oakfield):
    found = await _patterns(app, oakfield.dina)
    expected = {name: n for name, n in named_within(7).items() if n >= 3}
    assert {c["name"]: c["count"] for c in found["clusters"]} == {
        f"{name} Jones": n for name, n in expected.items()}
    assert expected == {"Amy": 3, "Zoe": 3}  # Noah has 2: not yet a cluster
    zoe = next(c for c in found["clusters"] if c["name"] == "Zoe Jones")
    assert zoe["link"] == f"/#/pupils/{story['Zoe'].id}"
    assert found["thresholds"] == {"concerns": 3, "days": 7, "rise_factor": 2,
                                   "recent_days": 28, "past_periods": 6}
    assert await AuditEvent.filter(action="report_patterns").count() == 1


async def test_categories_the_reader_may_not_see_are_left_out(app, story, oakfield):
    found = await _patterns(app, oakfield.sam)  # senior leadership, not a DSL
    expected = {name: n for name, n in named_within(
        7, visible=lambda category: category != "Neglect").items() if n >= 3}
    assert {c["name"] for c in found["clusters"]} == {f"{name} Jones" for name in expected}
    assert "Zoe Jones" not in str(found)
    assert "Neglect" not in [c["name"] for c in found["rising_categories"]]


async def test_rises_against_the_pupils_and_the_schools_own_past(app, story, oakfield):
    found = await _patterns(app, oakfield.dina)
    # Amy: 4 in the last 28 days and nothing before; Zoe: 3 and nothing before; Noah: 2,
    # under the threshold of 3. Bullying: 5, and 1 in the 168 days before (a usual count
    # of 1/6 for 28 days).
    recent = named_within(28)
    assert (recent["Amy"], recent["Zoe"], recent["Noah"]) == (4, 3, 2)
    assert {p["name"]: (p["count"], p["usual"]) for p in found["rising_pupils"]} == {
        "Amy Jones": (4, 0.0), "Zoe Jones": (3, 0.0)}
    assert {c["name"]: (c["count"], c["usual"]) for c in found["rising_categories"]} == {
        "Bullying": (5, 0.2), "Neglect": (3, 0.0)}
    (chart,) = found["charts"]
    assert chart["labels"] == [c["name"] for c in found["rising_categories"]]
    assert [s["values"] for s in chart["series"]] == [[5, 3], [0.2, 0.0]]
    assert 'role="img"' in chart["svg"]


async def test_the_thresholds_are_the_schools_settings(app, client, story, oakfield):
    admin = app.test_client()
    await sign_in(admin, oakfield.adam)
    await elevate_directly(oakfield.adam.id)
    response = await admin.patch("/api/admin/settings", headers=CSRF,
                                 json={"pattern_concerns": 4, "pattern_days": 30})
    assert response.status_code == 200, await response.get_json()
    found = await _patterns(app, oakfield.dina)
    expected = {name: n for name, n in named_within(30).items() if n >= 4}
    assert {c["name"]: c["count"] for c in found["clusters"]} == {"Amy Jones": 4}
    assert expected == {"Amy": 4}
    refused = await admin.patch("/api/admin/settings", headers=CSRF,
                                json={"pattern_concerns": 1})
    assert refused.status_code == 400


async def test_staff_and_unelevated_key_holders_get_no_patterns(app, client, oakfield):
    await sign_in(client, oakfield.alice)
    assert (await client.get("/api/reports/patterns")).status_code == 403
    dina = app.test_client()
    await sign_in(dina, oakfield.dina)
    refused = await dina.get("/api/reports/patterns")
    assert refused.status_code == 403
    assert (await refused.get_json())["code"] == "ELEVATION_REQUIRED"


def test_a_rise_is_at_least_the_threshold_and_the_factor_times_the_usual_count():
    thresholds = Thresholds(concerns=3, days=7, rise_factor=2)
    past = Counter({"steady": 6 * PAST_PERIODS, "quiet": PAST_PERIODS, "new": 0})
    # steady: usually 6 in 28 days, now 8 (not twice); quiet: usually 1, now 3 (three
    # times); new: nothing before, now 2 (under the threshold of 3).
    recent = Counter({"steady": 8, "quiet": 3, "new": 2})
    assert _rises(recent, past, thresholds) == [("quiet", 3, 1.0)]


async def test_as_csv_and_pdf_too(app, story, oakfield):
    dina = app.test_client()
    await sign_in(dina, oakfield.dina)
    await elevate_directly(oakfield.dina.id)
    as_csv = await dina.get("/api/reports/patterns", query_string={"format": "csv"})
    assert as_csv.status_code == 200
    text = (await as_csv.get_data()).decode("utf-8-sig")
    assert "Several concerns in a few days,Amy Jones,Year 7,7A,3," in text
    assert "Categories rising,Bullying,,,5,0.2" in text
    as_pdf = await dina.get("/api/reports/patterns", query_string={"format": "pdf"})
    assert as_pdf.headers["Content-Type"] == "application/pdf"
    pages = pages_text(await as_pdf.get_data())
    assert "Zoe Jones" in "\n".join(pages) and all("OFFICIAL-SENSITIVE" in p for p in pages)


async def test_a_concern_entered_in_error_is_no_pattern(app, client, story, oakfield):
    dina = app.test_client()
    await sign_in(dina, oakfield.dina)
    await elevate_directly(oakfield.dina.id)
    zoe = story["Zoe"]
    listed = await (await dina.get(f"/api/pupils/{zoe.id}/chronology")).get_json()
    first = listed["entries"][0]["incident_id"]
    response = await dina.post(f"/api/incidents/{first}/actions", headers=CSRF, json={
        "text": "Wrong pupil.", "kind": "entered_in_error"})
    assert response.status_code == 201, await response.get_json()
    found = await (await dina.get("/api/reports/patterns")).get_json()
    assert "Zoe Jones" not in {c["name"] for c in found["clusters"]}  # 2 left of her 3
