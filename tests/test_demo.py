"""The demo school: something real to click through straight away, the reports and
patterns included. Seeding it takes seconds, so one test walks through all of it."""

import re
from datetime import timedelta

import pytest

from haven import clock, demo
from haven.accounts.models import Role, User
from haven.alerts.models import Alert
from haven.demo import DEMO_STAFF, seed_demo_school
from haven.errors import HavenError
from haven.incidents.models import Action, Incident
from haven.outbox.models import OutboxMessage, Status
from haven.pupils.models import Pupil
from haven.reports.patterns import find_patterns

RECENT = 7  # the recent concerns, recorded as the demo starts; the newest three unread


async def test_the_demo_school_has_staff_pupils_years_of_concerns_and_patterns(app, settings):
    school, logins = await seed_demo_school(settings)
    assert (school.name, school.slug) == ("Haven Demo Academy", "demo")
    assert [email for email, _ in logins] == [email for email, _, _ in DEMO_STAFF]
    assert await Pupil.filter(school=school).count() == 300

    # The recent concerns, by the teacher: the DSL has three to read.
    incidents = await Incident.filter(school=school).order_by("number")
    teacher = await User.get(email=DEMO_STAFF[0][0])
    assert {i.author_id for i in incidents[-RECENT:]} == {teacher.id}
    dsl = await User.get(email="dsl@demo.haven.school")
    assert await Alert.filter(recipient=dsl, read_at=None).count() == 3

    # Two years before them, numbered as recorded, each written up after it happened.
    earlier = incidents[:-RECENT]
    assert len(earlier) > 300
    assert [i.number for i in incidents] == list(range(1, len(incidents) + 1))
    recorded = [i.recorded_at for i in earlier]
    assert recorded == sorted(recorded)
    assert clock.now() - timedelta(days=2 * 365 + 5) < recorded[0] < recorded[-1] < clock.now()
    assert all(i.occurred_at < i.recorded_at for i in earlier)
    # Every alert about them was read, so nothing escalates and no reminder counts them,
    # and most have the DSL's follow-up.
    earlier_ids = [i.id for i in earlier]
    assert await Alert.filter(incident_id__in=earlier_ids).count() >= len(earlier)
    assert await Alert.filter(incident_id__in=earlier_ids, read_at=None).count() == 0
    followed_up = await Action.filter(incident_id__in=earlier_ids).values_list(
        "incident_id", flat=True)
    assert len(set(followed_up)) > len(earlier) / 2
    # Their emails went out in the story: the outbox holds only the recent ones'.
    pending = await OutboxMessage.filter(school=school, status=Status.PENDING)
    assert pending
    linked = {int(n) for m in pending for n in re.findall(r"/incidents/(\d+)", str(m.payload))}
    assert linked == {i.id for i in incidents[-RECENT:]}

    # The key holders' patterns: a pupil with concerns this week, a category rising.
    found = await find_patterns(school, [Role.STAFF, Role.DSL], clock.now())
    assert any(c.count >= 3 for c in found.clusters)
    assert "Online safety" in [c.name for c in found.rising_categories]

    # Seeding again (every `haven demo` does) changes nothing.
    await seed_demo_school(settings)
    assert await Incident.filter(school=school).count() == len(incidents)


async def test_a_demo_stopped_part_way_says_so_rather_than_serving_half_a_school(
        app, settings, monkeypatch):
    async def stopped(*args):
        raise KeyboardInterrupt  # Ctrl+C while the concerns were being added

    monkeypatch.setattr(demo, "_years_of_concerns", stopped)
    with pytest.raises(KeyboardInterrupt):
        await seed_demo_school(settings)
    monkeypatch.undo()
    with pytest.raises(HavenError, match="demo school was not finished.*Delete the data folder"):
        await seed_demo_school(settings)
