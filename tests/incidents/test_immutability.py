"""Incidents cannot be edited or deleted, even by SQL typed into the database."""

from datetime import date

import pytest
from tortoise import connections

from haven import clock
from haven.incidents.models import (
    Agency,
    BodyMapMarker,
    Category,
    Incident,
    IncidentAgency,
    IncidentCategory,
    IncidentPupil,
)
from haven.pupils.models import Pupil


@pytest.fixture
async def incident(oakfield):
    school = oakfield.school
    amy, noah = [
        await Pupil.create(school=school, upn=upn, first_name=first, last_name="Jones",
                           date_of_birth=date(2014, 9, 1), year_group="Year 7", form="7A")
        for upn, first in (("U1", "Amy"), ("U2", "Noah"))
    ]
    incident = await Incident.create(school=school, number=1, pupil=amy,
                                     author_id=oakfield.alice.id, account="Seen crying.",
                                     occurred_at=clock.now(), recorded_at=clock.now())
    await IncidentPupil.create(school=school, incident=incident, pupil=noah, role="witness")
    await IncidentCategory.create(school=school, incident=incident,
                                  category=await Category.get(school=school, name="Neglect"))
    await IncidentAgency.create(school=school, incident=incident,
                                agency=await Agency.get(school=school, name="Police"))
    await BodyMapMarker.create(school=school, incident=incident, view="front", x=0.5, y=0.2,
                               note="bruise")
    return incident


TABLES = ["incident", "incident_pupil", "incident_category", "incident_agency",
          "body_map_marker"]


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("statement", ["UPDATE {table} SET id = id", "DELETE FROM {table}"])
async def test_the_database_refuses_to_change_a_recorded_incident(incident, table, statement):
    with pytest.raises(Exception, match="append-only"):
        await connections.get("default").execute_query(statement.format(table=table))
    assert await Incident.filter(id=incident.id, account="Seen crying.").exists()


async def test_incident_numbers_are_unique_within_a_school(incident, oakfield):
    from tortoise.exceptions import IntegrityError

    with pytest.raises(IntegrityError):
        await Incident.create(school=oakfield.school, number=1, pupil_id=incident.pupil_id,
                              author_id=oakfield.alice.id, account="Again.",
                              occurred_at=clock.now(), recorded_at=clock.now())
