import statistics
from datetime import UTC, date, datetime

import pytest

from haven.accounts.models import User
from haven.audit.models import AuditEvent
from haven.reports.periods import reporting_period
from tests.conftest import sign_in
from tests.reports.conftest import PERIOD, escalate, refer, signed_in_elevated
from tests.reports.pdf_text import pages_text

IN_PERIOD = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 7, 1, tzinfo=UTC))


def _counted(story):
    start, end = IN_PERIOD
    return [r for r in story.records if start <= r.occurred_at < end and not r.in_error]


async def _report(client, **query):
    response = await client.get("/api/reports/ofsted", query_string={**PERIOD, **query})
    assert response.status_code == 200, await response.get_data(as_text=True)
    return await response.get_json()


async def test_volumes_and_their_trend(app, story, oakfield):
    report = await _report(await signed_in_elevated(app, oakfield.dina))
    now = _counted(story)
    assert report["volumes"]["count"] == len(now) == 15
    assert report["volumes"]["previous"] == 8
    assert report["volumes"]["trend"] == "rising"  # 87.5% up
    assert sum(m["count"] for m in report["by_month"]) == len(now)


async def test_time_to_first_action_and_to_a_key_holder_reading(app, story, oakfield):
    report = await _report(await signed_in_elevated(app, oakfield.dina))
    now = _counted(story)
    hours = sorted(r.action_after.total_seconds() / 60 for r in now if r.action_after)
    first = report["time_to_first_action"]
    assert (first["timed"], first["without_action"]) == (len(hours), len(now) - len(hours))
    assert first["median_minutes"] == statistics.median(hours)
    # Dina (a key holder) was alerted about the bullying incidents and read each; the
    # mental health ones alerted only her too, and she has not read them.
    read = sorted(m for r in now for m in r.alert_minutes[:1] if m is not None)
    unread = [r for r in now if r.alert_minutes[:1] == [None]]
    kh = report["time_to_key_holder_read"]
    assert (kh["timed"], kh["unread"]) == (len(read), len(unread))
    assert kh["median_minutes"] == statistics.median(read)
    assert kh["p90_minutes"] == round(statistics.quantiles(read, n=10,
                                                           method="inclusive")[8], 1)


async def test_referrals_escalations_and_staff_without_the_authenticator(
        app, story, oakfield):
    await refer(oakfield, 1, "Police", on_action=False)
    await refer(oakfield, 1, "Police", on_action=True)  # the same referral, counted once
    await refer(oakfield, 8, "Children's social care", on_action=True)
    await refer(oakfield, 20, "Police", on_action=False)  # before the period
    await escalate(oakfield, 14)
    await User.filter(id=oakfield.sam.id).update(totp_confirmed_at=datetime.now(UTC))
    report = await _report(await signed_in_elevated(app, oakfield.dina))
    assert report["open_referrals"]["by_agency"] == [
        {"agency": "Children's social care", "incidents": 1},
        {"agency": "Police", "incidents": 1}]
    assert report["open_referrals"]["total"] == 2
    assert report["escalated"] == 1
    assert [s["name"] for s in report["staff_without_authenticator"]] == [
        "Adam Office", "Alice Teacher", "Dina Safeguard"]
    assert report["staff_without_authenticator"][2]["roles"] == ["dsl", "staff"]


async def test_the_audit_trail_is_checked(app, story, oakfield):
    report = await _report(await signed_in_elevated(app, oakfield.dina))
    trail = report["audit_trail"]
    assert trail["intact"] is True and trail["whole_trail"] is True
    assert trail["rows_checked"] == await AuditEvent.all().count() - 1  # less this report's


async def test_only_the_newest_rows_of_a_long_trail_are_checked(app, story, oakfield,
                                                                monkeypatch):
    from haven.reports import ofsted

    monkeypatch.setattr(ofsted, "AUDIT_ROWS_CHECKED", 3)
    trail = (await _report(await signed_in_elevated(app, oakfield.dina)))["audit_trail"]
    assert (trail["intact"], trail["whole_trail"], trail["rows_checked"]) == (True, False, 3)


async def test_sam_does_not_see_restricted_categories(app, story, oakfield):
    await escalate(oakfield, 14)  # Zara's, about neglect: DSL only
    report = await _report(await signed_in_elevated(app, oakfield.sam))
    assert report["volumes"]["count"] == 13 and report["escalated"] == 0


async def test_it_is_for_elevated_key_holders_and_audited(app, story, oakfield):
    alice = app.test_client()
    await sign_in(alice, oakfield.alice)
    assert (await alice.get("/api/reports/ofsted")).status_code == 403
    dina = await signed_in_elevated(app, oakfield.dina)
    response = await dina.get("/api/reports/ofsted", query_string={**PERIOD, "format": "csv"})
    assert (await response.get_data()).startswith(b"\xef\xbb\xbf")
    event = await AuditEvent.get(action="report_ofsted")
    assert event.detail == {"from": "2026-01-01", "to": "2026-06-30", "format": "csv"}


@pytest.mark.parametrize("query, message", [
    ({"from": "2026-06-30", "to": "2026-01-01"}, "is before 'from'"),
    ({"from": "2020-01-01", "to": "2026-01-01"}, "at most five years"),
    ({"to": "2099-01-01"}, "is after today"),
    ({"from": "yesterday"}, "from"),
    ({"format": "xml"}, "format"),
])
async def test_a_period_that_makes_no_sense_is_refused(app, oakfield, query, message):
    dina = await signed_in_elevated(app, oakfield.dina)
    for route in ("/api/reports/ofsted", "/api/reports/governors"):
        response = await dina.get(route, query_string=query)
        body = await response.get_json()
        assert (response.status_code, body["code"]) == (400, "VALIDATION_ERROR")
        assert message in body["message"]


def test_the_default_period_is_the_year_to_today_and_the_one_before(frozen_clock):
    period = reporting_period(None, None, "Europe/London")
    assert (period.first_day, period.last_day) == (date(2025, 12, 1), date(2026, 11, 30))
    before = period.previous()
    assert (before.first_day, before.last_day) == (date(2024, 12, 1), date(2025, 11, 30))
    # Midnight in London: an hour before midnight UTC in summer.
    summer = reporting_period(date(2026, 7, 1), date(2026, 7, 31), "Europe/London")
    assert summer.start == datetime(2026, 6, 30, 23, tzinfo=UTC)


async def test_the_pdf_has_every_section_and_who_produced_it(app, story, oakfield):
    await refer(oakfield, 1, "Police", on_action=False)
    dina = await signed_in_elevated(app, oakfield.dina)
    answer = await dina.get("/api/reports/ofsted", query_string={**PERIOD, "format": "pdf"})
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/pdf"
    pages = pages_text(await answer.get_data())
    assert all("OFFICIAL-SENSITIVE" in page for page in pages)
    text = "\n".join(pages)
    for heading in ("Safeguarding overview", "Volumes", "First action", "Read by a key holder",
                    "Referrals", "Police", "Escalated", "Audit trail", "Dina Safeguard"):
        assert heading in text
