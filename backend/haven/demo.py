"""The demo school that `haven demo` creates: about 300 pupils, staff in every role, two
years of concerns read and followed up (so the reports and patterns have something to
show), and a few weeks of recent ones, the newest unread, so the DSL has alerts to read
and pupils have chronologies. Names are made up; the same come out on every machine."""

from __future__ import annotations

import logging
import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta

from haven import clock
from haven.accounts.models import Role, Session, User
from haven.accounts.service import add_user
from haven.alerts import service as alerts
from haven.alerts.models import Alert
from haven.config import Settings
from haven.errors import HavenError
from haven.incidents import files
from haven.incidents import service as incidents
from haven.incidents.models import Agency, Category
from haven.outbox.models import OutboxMessage, Status
from haven.pupils.models import Pupil
from haven.schools.models import School
from haven.schools.service import add_school

log = logging.getLogger(__name__)

DEMO_SLUG = "demo"
UNFINISHED_SLUG = "demo-being-set-up"
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
    dsl_session = _session(school, dsl.id, clock.now())
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
                dsl_session, incident_id, _DSL_ROLES, text=follow_up, public_url=public_url,
                store=store, agency_ids=[police.id] if police and marker else [])


# The years before the recent concerns, for the reports and patterns (two, so that a
# year's report has a year before to compare with): each category's concerns in a usual
# year (a secondary school of 300 pupils records a few a week), what a teacher wrote,
# and the DSL's usual follow-up.
YEARS = 2
_YEAR = [
    ("Bullying", 30, "{pupil} said that a group in their form keep leaving them out and "
     "laughing at them in the corridor.", "Spoke to the pupils involved; form tutor told."),
    ("Mental health", 28, "{pupil} seemed very low today and said they are not sleeping.",
     "Pastoral check-in booked; parents called."),
    ("Attendance", 22, "{pupil} has missed three Mondays in a row; no reason given.",
     "Attendance officer to call home."),
    ("Neglect", 14, "{pupil} has worn the same uniform all week and says they are hungry.",
     "Breakfast club place offered; home visit planned."),
    ("Online safety", 10, "{pupil} was upset by messages in a group chat about them.",
     "Parents told how to report it; the messages were not copied."),
    ("Physical abuse", 8, "{pupil} had a mark on the cheek and would not say how it happened.",
     "Spoke to the pupil; referred for advice."),
    ("Young carer", 8, "{pupil} said they look after their dad, who is ill, most evenings.",
     "Young carers service contacted with the family's consent."),
    ("Self-harm", 6, "{pupil} had scratches on a forearm in PE and pulled the sleeve down.",
     "Spoke to the pupil and parents; GP appointment made."),
    ("Domestic abuse", 6, "{pupil} said the police came to the house again last night.",
     "Operation Encompass notification checked; key adult told."),
    ("Emotional abuse", 5, "{pupil} said they are shouted at and called stupid at home.",
     "Discussed at the safeguarding meeting; monitoring."),
    ("Prejudice-related incident", 5, "{pupil} was called a racist name at break.",
     "Both pupils spoken to; parents informed."),
    ("Bereavement or loss", 5, "{pupil}'s grandmother died at the weekend.",
     "Counsellor to see the pupil this week."),
    ("Child criminal exploitation", 2, "{pupil} has new expensive trainers and a second "
     "phone, and was seen with older boys after school.", "Referred; police told."),
]
_RISING = ("Online safety", 8)  # in the last four weeks: against about one usually
_CLUSTER = ["Attendance", "Mental health", "Self-harm"]  # one pupil, this week
_REFERRALS = ["Children's social care", "Early help", "CAMHS", "Police"]
_DSL_ROLES = [Role.STAFF, Role.DSL]


@contextmanager
def _clock_at(moment: datetime) -> Iterator[None]:
    """Run the rules as at a moment of the story's past, so that everything recorded then
    (incidents, reads, actions, the audit trail) carries the time it would have had."""
    real = clock.now
    clock.now = lambda: moment
    try:
        yield
    finally:
        clock.now = real


def _school_day(chance: random.Random, days_ago: int) -> datetime:
    """A moment in a school day (a weekday, 08:30 to 15:30 UTC) about `days_ago` ago (a
    weekend moves it to the Friday before): always in the past, for days_ago of 1 or more."""
    assert days_ago >= 1
    day = clock.now() - timedelta(days=days_ago)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day.replace(hour=8, minute=30, second=0, microsecond=0) + timedelta(
        minutes=chance.randint(0, 7 * 60))


async def _years_of_concerns(school: School, pupils: list[Pupil], store: files.Store,
                            public_url: str) -> None:
    """Two years of concerns, each recorded by a member of staff, read by everyone alerted
    and (mostly) followed up by the DSL, at the times they would have had."""
    chance = random.Random(2026)
    teacher, dsl, head = [await User.get(email=email) for email, _, _ in DEMO_STAFF[:3]]
    accounts = {name: (account, follow_up) for name, _, account, follow_up in _YEAR}
    concerns = [(chance.randint(8, 365 * YEARS), name, chance.choice(pupils))
                for name, per_year, _, _ in _YEAR for _ in range(per_year * YEARS)]
    concerns += [(chance.randint(8, 25), _RISING[0], chance.choice(pupils))
                 for _ in range(_RISING[1])]
    clustered = chance.choice([p for p in pupils if p.gender == "Female"])
    # Days ago that stay within the last week when a weekend moves them to the Friday.
    concerns += [(days_ago, name, clustered) for days_ago, name in zip((4, 2, 1), _CLUSTER)]
    occurred = [(_school_day(chance, days_ago), name, pupil)
                for days_ago, name, pupil in concerns]
    # Numbered in the order written up, as they would have been.
    recorded = sorted([(at + timedelta(minutes=chance.randint(5, 150)), at, name, pupil)
                       for at, name, pupil in occurred], key=lambda concern: concern[0])
    agencies = {a.name: a.id for a in await Agency.filter(school=school)}
    categories = {c.name: c.id for c in await Category.filter(school=school)}
    for written, at, name, pupil in recorded:
        author = head if chance.random() < 0.15 else teacher
        account, follow_up = accounts[name]
        with _clock_at(written):
            incident_id, _ = await incidents.record_incident(school, author, incidents.NewIncident(
                pupil_id=pupil.id, category_ids=[categories[name]], occurred_at=at,
                account=account.format(pupil=pupil.display_name.split()[0]),
                alert_user_ids=[dsl.id]), public_url=public_url, store=store)
        read = written
        for recipient in await Alert.filter(incident_id=incident_id).values_list(
                "recipient_id", flat=True):
            read = written + timedelta(minutes=chance.choice([4, 9, 15, 25, 40, 70, 180]))
            with _clock_at(read):
                await alerts.mark_read(_session(school, recipient, read), incident_id)
        if chance.random() < 0.8:
            acted = read + timedelta(minutes=chance.randint(10, 120))
            referral = [agencies[chance.choice(_REFERRALS)]] if chance.random() < 0.2 else []
            with _clock_at(acted):
                await incidents.add_action(
                    _session(school, dsl.id, acted), incident_id, _DSL_ROLES,
                    text=follow_up, agency_ids=referral, public_url=public_url, store=store)
    # Their emails and pushes went out long ago in the story: not a year of them now.
    await OutboxMessage.filter(school=school, status=Status.PENDING).update(
        status=Status.SENT, sent_at=clock.now())


def _session(school: School, user_id: int, moment: datetime) -> Session:
    """As from a session of theirs at that moment, elevated as a key holder's would be:
    the demo's reads and follow-ups go through the same rules as anyone's."""
    return Session(user_id=user_id, school_id=school.id,
                   elevated_until=moment + timedelta(hours=1))


async def seed_demo_school(settings: Settings) -> tuple[School, list[tuple[str, str]]]:
    """Create the demo school once; later calls find it and change nothing. Raises
    HavenError if an earlier call was stopped part-way (the school has a slug of its own
    until the end): it cannot be finished, and a half-made demo would mislead."""
    logins = [(email, ", ".join(roles)) for email, _name, roles in DEMO_STAFF]
    school = await School.get_or_none(slug=DEMO_SLUG)
    if school is not None:
        return school, logins
    if await School.exists(slug=UNFINISHED_SLUG):
        raise HavenError(
            "The demo school was not finished: the first `haven demo` was stopped while "
            "it was adding it. Delete the data folder (HAVEN_DATA_DIR, ./data by default) "
            "and run it again.")
    log.info("adding the demo school and two years of its concerns (about ten seconds)")
    school = await add_school("Haven Demo Academy", UNFINISHED_SLUG)
    for email, name, roles in DEMO_STAFF:
        await add_user(school, email, name, DEMO_PASSWORD, roles)
    await Pupil.bulk_create(_pupils(school))
    pupils = await Pupil.filter(school=school).order_by("id")
    store = files.Store.of(settings)
    await _years_of_concerns(school, pupils, store, settings.public_url)
    await _sample_concerns(school, pupils, store, settings.public_url)
    school.slug = DEMO_SLUG
    await school.save(update_fields=["slug"])
    return school, logins
