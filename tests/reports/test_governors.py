import statistics
from collections import Counter
from datetime import UTC, datetime

from haven.audit.models import AuditEvent
from haven.incidents.models import Category
from haven.schools.models import School
from tests.conftest import CSRF, sign_in
from tests.reports.conftest import PERIOD, signed_in_elevated
from tests.reports.pdf_text import A4_POINTS, fonts_used, page_sizes, pages_text

CURRENT = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 7, 1, tzinfo=UTC))
PREVIOUS = (datetime(2025, 7, 4, 0, tzinfo=UTC) - (datetime(2025, 7, 4, tzinfo=UTC)
            - datetime(2025, 7, 3, 23, tzinfo=UTC)), CURRENT[0])  # midnight BST


async def _small_numbers(school, on: bool) -> None:
    await School.filter(id=school.id).update(
        settings={**school.settings, "report_small_numbers": on})


def _counted(story, period, hidden=()):
    start, end = period
    return [r for r in story.records if start <= r.occurred_at < end and not r.in_error
            and r.category.name not in hidden]


def _top(record) -> str:
    return {"Bullying": "Behaviour and relationships", "Mental health": "Wellbeing",
            "Neglect": "Child protection"}[record.category.name]


async def _report(client, **query):
    response = await client.get("/api/reports/governors", query_string={**PERIOD, **query})
    assert response.status_code == 200, await response.get_data(as_text=True)
    return await response.get_json()


async def test_dina_sees_the_figures_counted_from_the_records(app, story, oakfield):
    await _small_numbers(oakfield.school, False)
    report = await _report(await signed_in_elevated(app, oakfield.dina))
    now, before = _counted(story, CURRENT), _counted(story, PREVIOUS)
    assert report["total"] == {"name": "all", "count": len(now), "previous": len(before),
                               "change": len(now) - len(before),
                               "change_percent": round(100 * (len(now) - len(before))
                                                       / len(before), 1)}
    by_category = {line["name"]: (line["count"], line["previous"])
                   for line in report["by_category"]}
    for name in {_top(r) for r in now + before}:
        assert by_category[name] == (Counter(map(_top, now))[name],
                                     Counter(map(_top, before))[name])
    assert by_category["Exploitation"] == (0, 0)
    years = {line["name"]: (line["count"], line["previous"]) for line in report["by_year_group"]}
    assert years == {year: (Counter(r.pupil.year_group for r in now)[year],
                            Counter(r.pupil.year_group for r in before)[year])
                     for year in ("Year 7", "Year 9", "Year 10")}
    assert [line["name"] for line in report["by_year_group"]] == ["Year 7", "Year 9", "Year 10"]
    genders = {line["name"]: line["count"] for line in report["by_characteristic"]["lines"]}
    assert genders == {"Female": 7, "Male": 6, "Not recorded": 2}
    months = Counter(f"{r.occurred_at:%Y-%m}" for r in now)
    assert report["by_month"] == [{"month": f"2026-0{m}", "count": months[f"2026-0{m}"]}
                                  for m in range(1, 7)]


async def test_alert_acknowledgement_times_are_from_alert_to_read(app, story, oakfield):
    await _small_numbers(oakfield.school, False)
    ack = (await _report(await signed_in_elevated(app, oakfield.dina)))["acknowledgement"]
    minutes = [m for r in _counted(story, CURRENT) for m in r.alert_minutes]
    read = sorted(m for m in minutes if m is not None)
    assert (ack["alerts"], ack["read"], ack["unread"]) == (len(minutes), len(read),
                                                           len(minutes) - len(read))
    assert ack["median_minutes"] == statistics.median(read)
    assert ack["p90_minutes"] == round(statistics.quantiles(read, n=10,
                                                            method="inclusive")[8], 1)


async def test_small_numbers_are_held_back_with_the_changes_they_would_give_away(
        app, story, oakfield):
    report = await _report(await signed_in_elevated(app, oakfield.dina))
    assert report["small_numbers_held_back"] is True
    years = {line["name"]: line for line in report["by_year_group"]}
    # Now 7, 6 and 2: the 2 is held back, and the 6 with it (15 less 7 would tell), shown
    # as held back, not as fewer than 5, which it is not.
    assert (years["Year 7"]["count"], years["Year 9"]["count"], years["Year 10"]["count"]) \
        == (7, "held back", "fewer than 5")
    # Before 5, 3 and 0: the 3, and the 5 with it; a zero is no one.
    assert (years["Year 7"]["previous"], years["Year 9"]["previous"],
            years["Year 10"]["previous"]) == ("held back", "fewer than 5", 0)
    assert all(line["change"] is None and line["change_percent"] is None
               for line in years.values())
    assert report["total"]["count"] == 15 and report["total"]["change"] == 7
    assert {m["month"]: m["count"] for m in report["by_month"]}["2026-04"] == "fewer than 5"


async def test_the_school_can_show_small_numbers(app, story, oakfield, adam):
    response = await adam.patch("/api/admin/settings", headers=CSRF,
                                json={"report_small_numbers": False})
    assert (await response.get_json())["report_small_numbers"] is False
    report = await _report(await signed_in_elevated(app, oakfield.dina))
    assert report["small_numbers_held_back"] is False
    assert {line["name"]: line["count"] for line in report["by_year_group"]}["Year 10"] == 2


async def test_sam_does_not_see_categories_restricted_to_the_dsl(app, story, oakfield):
    await _small_numbers(oakfield.school, False)
    report = await _report(await signed_in_elevated(app, oakfield.sam))
    now = _counted(story, CURRENT, hidden={"Neglect"})
    assert report["total"]["count"] == len(now) == 13
    assert "Child protection" not in {line["name"] for line in report["by_category"]}
    assert "Year 10" not in {line["name"] for line in report["by_year_group"]}
    assert report["restricted_categories_left_out"] is True


async def test_no_pupil_or_staff_name_is_anywhere_in_it(app, story, oakfield):
    await _small_numbers(oakfield.school, False)
    dina = await signed_in_elevated(app, oakfield.dina)
    as_json = await (await dina.get("/api/reports/governors", query_string=PERIOD)
                     ).get_data(as_text=True)
    as_csv = await (await dina.get("/api/reports/governors",
                                   query_string={**PERIOD, "format": "csv"})
                    ).get_data(as_text=True)
    pdf = await (await dina.get("/api/reports/governors",
                                query_string={**PERIOD, "format": "pdf"})).get_data()
    as_pdf = "\n".join(pages_text(pdf))
    assert "Governors' safeguarding report" in as_pdf
    # Staff by full name and first name: Dina's surname is a word a report may well use.
    staff = (oakfield.alice, oakfield.dina, oakfield.sam, oakfield.adam)
    names = [n for p in story.pupils for n in (p.first_name, p.last_name)] + [
        n for person in staff for n in (person.name, person.name.split()[0])]
    for text in (as_json, as_csv, as_pdf):
        assert not [name for name in names if name.lower() in text.lower()]


async def test_the_csv_opens_in_excel_and_runs_no_formula(app, story, oakfield):
    for position, name in enumerate(('=HYPERLINK("http://evil.example","x")', "+1", "@SUM",
                                     "-2", "\tTab")):
        await Category.create(school=oakfield.school, name=name, position=90 + position)
    dina = await signed_in_elevated(app, oakfield.dina)
    response = await dina.get("/api/reports/governors", query_string={**PERIOD, "format": "csv"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="governors-report-2026-01-01-2026-06-30.csv"')
    raw = await response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    assert "'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")" in text
    for cell in ("'+1", "'@SUM", "'-2", "'\tTab"):
        assert f",{cell}," in text or f',"{cell}",' in text
    assert "Total,all,15,8,7,87.5" in text  # numbers, negative ones too, stay numbers


async def test_staff_are_refused_and_a_dsl_must_elevate(app, story, oakfield):
    alice = app.test_client()
    await sign_in(alice, oakfield.alice)
    response = await alice.get("/api/reports/governors")
    assert response.status_code == 403
    assert (await response.get_json())["code"] == "FORBIDDEN"
    dina = app.test_client()
    await sign_in(dina, oakfield.dina)
    response = await dina.get("/api/reports/governors")
    assert (await response.get_json())["code"] == "ELEVATION_REQUIRED"
    assert not await AuditEvent.filter(action="report_governors").exists()


async def test_each_report_is_written_to_the_audit_trail(app, story, oakfield):
    dina = await signed_in_elevated(app, oakfield.dina)
    await dina.get("/api/reports/governors", query_string={**PERIOD, "format": "csv"})
    event = await AuditEvent.get(action="report_governors")
    assert (event.actor_id, event.school_id) == (oakfield.dina.id, oakfield.school.id)
    assert event.detail == {"from": "2026-01-01", "to": "2026-06-30", "format": "csv"}


async def test_the_pdf_is_the_csv_and_the_charts_on_a4(app, story, oakfield):
    await _small_numbers(oakfield.school, False)
    dina = await signed_in_elevated(app, oakfield.dina)
    answer = await dina.get("/api/reports/governors", query_string={**PERIOD, "format": "pdf"})
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/pdf"
    assert answer.headers["Content-Disposition"] == (
        'attachment; filename="governors-report-2026-01-01-2026-06-30.pdf"')
    pdf = await answer.get_data()
    pages = pages_text(pdf)
    assert all("OFFICIAL-SENSITIVE" in page for page in pages)
    assert f"Page 1 of {len(pages)}" in pages[0]
    text = "\n".join(pages)
    for heading in ("Charts", "Incidents by month", "Incidents by category", "Category",
                    "Year group", "Gender", "Alerts", "Notes"):
        assert heading in text
    report = await (await dina.get("/api/reports/governors", query_string=PERIOD)).get_json()
    for line in report["by_category"]:
        assert line["name"] in text
    assert page_sizes(pdf) == {A4_POINTS}
    assert all(font["embedded"] for font in fonts_used(pdf))


async def test_the_json_carries_each_chart_as_accessible_svg(app, story, oakfield):
    dina = await signed_in_elevated(app, oakfield.dina)
    report = await (await dina.get("/api/reports/governors", query_string=PERIOD)).get_json()
    by_month = next(chart for chart in report["charts"] if chart["key"] == "by_month")
    assert len(by_month["labels"]) == len(report["by_month"])
    assert by_month["svg"].startswith("<svg") and 'role="img"' in by_month["svg"]
    assert by_month["title"] in by_month["svg"]
