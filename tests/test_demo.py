"""The demo school: something real to click through straight away."""

from haven.accounts.models import User
from haven.alerts.models import Alert
from haven.demo import DEMO_STAFF, seed_demo_school
from haven.incidents.models import Action, Incident
from haven.pupils.models import Pupil


async def test_the_demo_school_has_pupils_staff_and_concerns_for_the_dsl(app, settings):
    school, logins = await seed_demo_school(settings)
    assert [email for email, _ in logins] == [email for email, _, _ in DEMO_STAFF]
    assert await Pupil.filter(school=school).count() == 300
    incidents = await Incident.filter(school=school).order_by("number")
    assert [i.number for i in incidents] == list(range(1, 8))
    assert await Action.filter(school=school).count() == 4
    dsl = await User.get(email="dsl@demo.haven.school")
    assert await Alert.filter(recipient=dsl, read_at=None).count() == 3


async def test_seeding_twice_changes_nothing(app, settings):
    await seed_demo_school(settings)
    school, _ = await seed_demo_school(settings)
    assert await Incident.filter(school=school).count() == 7
