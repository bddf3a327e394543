"""The demo school that `haven demo` creates: about 300 pupils, staff in every role, and a
few weeks of concerns with follow-up, so the DSL has alerts to read and pupils have
chronologies. Names are made up; the same names come out on every machine."""

from __future__ import annotations

import random
from datetime import date, timedelta

from haven import clock
from haven.accounts.models import Role, Session, User
from haven.accounts.service import add_user
from haven.alerts import service as alerts
from haven.config import Settings
from haven.incidents import files
from haven.incidents import service as incidents
from haven.incidents.models import Agency, Category
from haven.pupils.models import Pupil
from haven.schools.models import School
from haven.schools.service import add_school

DEMO_SLUG = "demo"
DEMO_PASSWORD = "Kite-Harbour-2026!"

DEMO_STAFF = [
    ("teacher@demo.haven.school", "Sam Teacher", ["staff"]),
    ("dsl@demo.haven.school", "Dana Lead", ["staff", "dsl"]),
    ("slt@demo.haven.school", "Sol Head", ["staff", "slt"]),
    ("admin@demo.haven.school", "Ash Office", ["admin"]),
]

_FIRST = (
    "Amelia Olivia Isla Ava Mia Ivy Lily Freya Grace Willow Sophia Florence Evie Ella Rosie "
    "Aisha Zara Maryam Chloe Ruby Noah Oliver George Leo Arthur Muhammad Harry Oscar Jack "
    "Charlie Jacob Thomas Alfie Finley Archie Theo Henry Ibrahim Kai Reuben Tariq Ewan Dylan"
).split()
_LAST = (
    "Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson "
    "Thompson Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Patel Khan "
    "Jackson Wood Turner Martin Cooper Hill Ward Morris Moore Clark Lee King Baker Begum Ali"
).split()
_FORMS = "ABCDEF"


def _pupils(school: School, count: int = 300) -> list[Pupil]:
    chance = random.Random(20261129)
    pupils = []
    for number in range(count):
        year = 7 + number % 7  # years 7 to 13
        born = date(2026 - year - 5, chance.randint(9, 12), chance.randint(1, 28))
        if chance.random() < 0.6:
            born = born.replace(year=born.year + 1, month=chance.randint(1, 8))
        first = chance.choice(_FIRST)
        pupils.append(
            Pupil(
                school=school,
                upn=f"D{801000000000 + number:012d}",
                first_name=first,
                preferred_name=chance.choice(["", "", "", first[:3]]),
                last_name=chance.choice(_LAST),
                date_of_birth=born,
                year_group=f"Year {year}",
                form=f"{year}{chance.choice(_FORMS)}",
                gender=chance.choice(["Female", "Male"]),
            )
        )
    return pupils


# (days ago, the pupil's gender as the account speaks of them, category, account, linked
#  pupil's role or None, body map note or None, the DSL's follow-up or None)
_CONCERNS = [
    (20, "Female", "Bullying", "At lunch {pupil} told me that older pupils keep taking her "
     "snack and calling her names on the way home. She said: \"they wait for me by the gate\".",
     "alleged_perpetrator", None, "Spoke to both pupils and their parents. Monitoring."),
    (16, "Male", "Attendance", "{pupil} has been late every day this week and looked very tired. "
     "Said he looks after his little brother in the mornings.", None, None,
     "Early help assessment offered to the family; mum agreed."),
    (12, "Female", "Physical abuse", "{pupil} had a bruise on her upper left arm when she took "
     "off her jumper in PE. When I asked, she said: \"I fell over at home\" and looked away.", None,
     "Bruise about 3 cm, yellow-green", "Referred to children's social care; strategy "
     "meeting booked."),
    (9, "Male", "Online safety", "{pupil} showed a friend messages from an adult he met in a game "
     "who asked for photos. The friend told me at break.", "witness", None, None),
    (6, "Female", "Mental health", "{pupil} was crying in the toilets after registration and said "
     "she could not stop worrying about her exams.", None, None,
     "School counsellor appointment made for Thursday."),
    (3, "Male", "Neglect", "{pupil} came in without a coat again in the rain and asked for toast "
     "at breakfast club: \"there's nothing at home\".", None, None, None),
    (1, "Male", "Young carer", "{pupil} told me his mum has been in hospital and he is doing the "
     "shopping and cooking.", None, None, None),
]


async def _sample_concerns(school: School, pupils: list[Pupil], store: files.Store,
                           public_url: str) -> None:
    """The concerns above, recorded by the teacher through the same rules as anyone's,
    with the DSL chosen to alert; the DSL's follow-ups on those already dealt with (read).
    The newest stay unread."""
    teacher = await User.get(email=DEMO_STAFF[0][0])
    dsl = await User.get(email=DEMO_STAFF[1][0])
    chance = random.Random(7)
    # The DSL's follow-up goes through add_action like any other: as from a session of
    # theirs, elevated as a key holder's would be.
    dsl_session = Session(user_id=dsl.id, school_id=school.id,
                          elevated_until=clock.now() + timedelta(hours=1))
    dsl_roles = [Role.STAFF, Role.DSL]
    police = await Agency.get_or_none(school=school, name="Police")
    for days_ago, gender, category_name, account, role, marker, follow_up in _CONCERNS:
        pupil = chance.choice([p for p in pupils if p.gender == gender])
        other = chance.choice([p for p in pupils if p.id != pupil.id])
        category = await Category.get(school=school, name=category_name)
        new = incidents.NewIncident(
            pupil_id=pupil.id, category_ids=[category.id],
            account=account.format(pupil=pupil.display_name.split()[0]),
            occurred_at=clock.now() - timedelta(days=days_ago, hours=chance.randint(1, 5)),
            linked_pupils=[(other.id, role)] if role else [],
            body_map=[{"view": "front", "x": 0.31, "y": 0.33, "note": marker}] if marker else [],
            alert_user_ids=[dsl.id],
        )
        incident_id, _ = await incidents.record_incident(
            school, teacher, new, public_url=public_url, store=store)
        if follow_up:
            await alerts.mark_read(dsl_session, incident_id)
            await incidents.add_action(
                dsl_session, incident_id, dsl_roles, text=follow_up, public_url=public_url,
                store=store, agency_ids=[police.id] if police and marker else [])


async def seed_demo_school(settings: Settings) -> tuple[School, list[tuple[str, str]]]:
    """Create the demo school once; later calls find it and change nothing."""
    logins = [(email, ", ".join(roles)) for email, _name, roles in DEMO_STAFF]
    school = await School.get_or_none(slug=DEMO_SLUG)
    if school is not None:
        return school, logins
    school = await add_school("Haven Demo Academy", DEMO_SLUG)
    for email, name, roles in DEMO_STAFF:
        await add_user(school, email, name, DEMO_PASSWORD, roles)
    await Pupil.bulk_create(_pupils(school))
    pupils = await Pupil.filter(school=school).order_by("id")
    await _sample_concerns(school, pupils, files.Store.of(settings), settings.public_url)
    return school, logins
