"""The end-of-day reminder of unread alerts, and quiet hours."""

from datetime import UTC, datetime, timedelta

import pytest

from haven.alerts import schedule
from haven.outbox.models import Channel, OutboxMessage
from tests.conftest import CSRF, sign_in
from tests.push.helpers import alerts_on, record

URL = "http://localhost"


async def test_at_half_past_three_on_a_weekday_the_unread_are_reminded_once(
        frozen_clock, app, oakfield, alice, amy, push_service, dispatcher):
    await alerts_on(app, oakfield.dina, dinas := push_service.subscription())
    for _ in range(2):
        await record(alice, oakfield.school, amy)
    await dispatcher.send_due()
    await push_service.wait_for(2)

    # Monday 30 November 2026: London is on GMT, so 15:30 there is 15:30 UTC.
    frozen_clock.moment = datetime(2026, 11, 30, 15, 29, tzinfo=UTC)
    assert await schedule.remind_due(URL) == 0
    frozen_clock.advance(minutes=1)
    assert await schedule.remind_due(URL) == 1  # Dina, the only one with unread alerts
    assert await schedule.remind_due(URL) == 0  # once a day
    await dispatcher.send_due()
    reminder = (await push_service.wait_for(3))[2]
    assert reminder.endpoint == dinas["endpoint"]
    assert reminder.json == {"kind": "reminder", "title": "Haven",
                             "body": "You have 2 unread alerts", "url": "/#",
                             "tag": "reminder"}
    subjects = [m.payload["subject"] for m in await OutboxMessage.filter(channel=Channel.EMAIL)]
    assert subjects.count("Haven: you have 2 unread alerts") == 1

    frozen_clock.advance(days=1)  # Tuesday: again
    assert await schedule.remind_due(URL) == 1


async def test_nobody_is_reminded_at_weekends_late_or_when_it_is_off(
        frozen_clock, app, oakfield, alice, amy, adam):
    await record(alice, oakfield.school, amy)
    frozen_clock.moment = datetime(2026, 12, 5, 15, 30, tzinfo=UTC)  # a Saturday
    assert await schedule.remind_due(URL) == 0
    frozen_clock.moment = datetime(2026, 12, 7, 16, 31, tzinfo=UTC)  # Monday, past the hour
    assert await schedule.remind_due(URL) == 0
    from haven.schools.models import School

    await School.filter(id=oakfield.school.id).update(
        settings={**(await School.get(id=oakfield.school.id)).settings,
                  "end_of_day_reminder": None})
    frozen_clock.moment = datetime(2026, 12, 8, 15, 30, tzinfo=UTC)
    assert await schedule.remind_due(URL) == 0


async def test_the_schools_time_zone_decides_the_hour(frozen_clock, app, oakfield, alice, amy):
    await record(alice, oakfield.school, amy)
    from haven.schools.models import School

    school = await School.get(id=oakfield.school.id)
    await School.filter(id=school.id).update(
        settings={**school.settings, "timezone": "Europe/Berlin"})
    frozen_clock.moment = datetime(2026, 11, 30, 14, 30, tzinfo=UTC)  # 15:30 in Berlin
    assert await schedule.remind_due(URL) == 1


async def test_quiet_hours_hold_pushes_until_morning_unless_urgent(
        frozen_clock, app, oakfield, alice, amy, push_service, dispatcher):
    dina = await alerts_on(app, oakfield.dina, push_service.subscription())
    response = await dina.put("/api/me/quiet-hours", headers=CSRF,
                              json={"quiet_from": "22:00", "quiet_until": "07:00"})
    assert response.status_code == 200
    assert await (await dina.get("/api/me/quiet-hours")).get_json() == {
        "quiet_from": "22:00", "quiet_until": "07:00"}

    frozen_clock.moment = datetime(2026, 11, 30, 23, 5, tzinfo=UTC)
    alice_late = app.test_client()
    await sign_in(alice_late, oakfield.alice)
    await record(alice_late, oakfield.school, amy, category="Bullying",
                 alert_user_ids=[oakfield.dina.id])
    held = await OutboxMessage.get(channel=Channel.PUSH)
    assert held.next_attempt_at == datetime(2026, 12, 1, 7, 0, tzinfo=UTC)
    await dispatcher.send_due()
    assert push_service.deliveries == []

    await record(alice_late, oakfield.school, amy, category="Physical abuse")  # urgent
    await dispatcher.send_due()
    (urgent,) = await push_service.wait_for(1)
    assert urgent.json["body"].endswith("Physical abuse")

    frozen_clock.moment = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)
    await dispatcher.send_due()
    assert len(await push_service.wait_for(2)) == 2


@pytest.mark.parametrize("hours", [
    {"quiet_from": "22:00", "quiet_until": None},
    {"quiet_from": "22:00", "quiet_until": "22:00"},
    {"quiet_from": "25:00", "quiet_until": "07:00"},
    {"quiet_from": "10pm", "quiet_until": "7am"},
])
async def test_bad_quiet_hours_are_refused(app, oakfield, hours):
    client = app.test_client()
    await sign_in(client, oakfield.dina)
    response = await client.put("/api/me/quiet-hours", headers=CSRF, json=hours)
    assert response.status_code == 400


def test_quiet_hours_within_one_day_and_across_midnight():

    from haven.accounts.models import User
    from haven.push.service import quiet_until

    night = User(quiet_from="22:00", quiet_until="07:00")
    lunch = User(quiet_from="12:00", quiet_until="13:00")
    at = (lambda h, m=0: datetime(2026, 6, 1, h, m, tzinfo=UTC))  # London is on BST: +1
    assert quiet_until(night, "Europe/London", at(20, 59)) is None  # 21:59 there
    assert quiet_until(night, "Europe/London", at(21)) == at(6) + timedelta(days=1)
    assert quiet_until(night, "Europe/London", at(3)) == at(6)
    assert quiet_until(night, "Europe/London", at(6)) is None
    assert quiet_until(lunch, "Europe/London", at(11, 30)) == at(12)
    assert quiet_until(lunch, "Europe/London", at(12)) is None
