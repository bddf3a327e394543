"""The demo school that `haven demo` creates: about 300 pupils and staff in every role.
Names are made up; the same names come out on every machine."""

from __future__ import annotations

import random
from datetime import date

from haven.accounts.service import add_user
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


async def seed_demo_school() -> tuple[School, list[tuple[str, str]]]:
    """Create the demo school once; later calls find it and change nothing."""
    logins = [(email, ", ".join(roles)) for email, _name, roles in DEMO_STAFF]
    school = await School.get_or_none(slug=DEMO_SLUG)
    if school is not None:
        return school, logins
    school = await add_school("Haven Demo Academy", DEMO_SLUG)
    for email, name, roles in DEMO_STAFF:
        await add_user(school, email, name, DEMO_PASSWORD, roles)
    await Pupil.bulk_create(_pupils(school))
    return school, logins
