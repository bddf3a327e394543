"""A school year's worth of concerns at Oakfield, made straight in the database so that
each test knows exactly what is there, and keeps the list (`Record`) to count from
itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest

from haven.alerts.models import Alert, Escalation
from haven.incidents.models import (
    Action, ActionKind, Agency, Category, Incident, IncidentAgency, IncidentCategory)
from haven.pupils.models import Pupil
from tests.conftest import elevate_directly, sign_in

PERIOD = {"from": "2026-01-01", "to": "2026-06-30"}  # 181 days; before: 4/7 to 31/12/2025


@dataclass
class Record:
    pupil: Pupil
    category: Category
    occurred_at: datetime
    in_error: bool = False
    alert_minutes: list[int | None] = field(default_factory=list)  # None: unread
    action_after: timedelta | None = None


@dataclass
class Story:
    records: list[Record]
    pupils: list[Pupil]
    categories: dict[str, Category]


def moment(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.fixture
async def story(app, oakfield, frozen_clock) -> Story:
    school = oakfield.school
    pupils = [await Pupil.create(school=school, upn=upn, first_name=first, last_name=last,
                                 date_of_birth=date(2012, 1, 1), year_group=year, gender=g)
              for upn, first, last, year, g in (
                  ("U1", "Amy", "Jones", "Year 7", "Female"),
                  ("U2", "Noah", "Patel", "Year 9", "Male"),
                  ("U3", "Zara", "Okafor", "Year 10", ""))]
    amy, noah, zara = pupils
    categories = {name: await Category.get(school=school, name=name)
                  for name in ("Bullying", "Mental health", "Neglect")}
    bullying, mental_health, neglect = categories.values()
    records = (
        [Record(amy, bullying, moment(date(2026, 2, day)), alert_minutes=[10 * day])
         for day in range(1, 8)]
        + [Record(noah, mental_health, moment(date(2026, 3, day)),
                  action_after=timedelta(hours=day) if day <= 3 else None,
                  alert_minutes=[None]) for day in range(1, 7)]
        + [Record(zara, neglect, moment(date(2026, 4, day))) for day in (1, 2)]
        + [Record(noah, bullying, moment(date(2026, 5, 1)), in_error=True)]
        + [Record(amy, bullying, moment(date(2025, 10, day))) for day in range(1, 6)]
        + [Record(noah, mental_health, moment(date(2025, 11, day))) for day in (1, 2, 3)]
        # Outside both periods.
        + [Record(amy, bullying, moment(date(2026, 7, 1))),
           Record(amy, bullying, moment(date(2025, 7, 3)))]
    )
    for number, record in enumerate(records, start=1):
        await _write(school, oakfield, number, record)
    return Story(records, pupils, categories)


async def _write(school, oakfield, number: int, record: Record) -> Incident:
    incident = await Incident.create(
        school=school, number=number, pupil=record.pupil, author_id=oakfield.alice.id,
        account=f"About {record.pupil.first_name}.", occurred_at=record.occurred_at,
        recorded_at=record.occurred_at)
    await IncidentCategory.create(school=school, incident=incident, category=record.category)
    for recipient, minutes in zip((oakfield.dina.id, oakfield.sam.id), record.alert_minutes):
        read_at = None if minutes is None else record.occurred_at + timedelta(minutes=minutes)
        await Alert.create(school=school, incident=incident, recipient_id=recipient,
                           reason="chosen", created_at=record.occurred_at, read_at=read_at)
    if record.action_after is not None:
        await Action.create(school=school, incident=incident, author_id=oakfield.dina.id,
                            text="Spoke to the family.",
                            recorded_at=record.occurred_at + record.action_after)
    if record.in_error:
        await Action.create(school=school, incident=incident, author_id=oakfield.dina.id,
                            kind=ActionKind.ENTERED_IN_ERROR, text="Wrong pupil.",
                            recorded_at=record.occurred_at)
    return incident


async def refer(oakfield, incident_number: int, agency_name: str, *, on_action: bool) -> None:
    incident = await Incident.get(school=oakfield.school, number=incident_number)
    agency = await Agency.get(school=oakfield.school, name=agency_name)
    if on_action:
        await Action.create(school=oakfield.school, incident=incident,
                            author_id=oakfield.dina.id, text="Referred.",
                            agency_ids=[agency.id], recorded_at=incident.recorded_at)
    else:
        await IncidentAgency.create(school=oakfield.school, incident=incident, agency=agency)


async def escalate(oakfield, incident_number: int) -> None:
    incident = await Incident.get(school=oakfield.school, number=incident_number)
    await Escalation.create(school=oakfield.school, incident=incident,
                            due_at=incident.recorded_at, checked_at=incident.recorded_at,
                            escalated_at=incident.recorded_at)


async def signed_in_elevated(app, person):
    client = app.test_client()
    assert (await sign_in(client, person)).status_code == 200
    await elevate_directly(person.id)
    return client
