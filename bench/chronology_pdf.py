"""How long the case conference chronology PDF takes for a pupil with 2,000 entries.

    .venv/bin/python bench/chronology_pdf.py [--incidents 1500] [--actions 500]

Builds a throwaway SQLite database with one pupil, so many incidents about them (a few
hundred words each, one in ten with a body map, one in five with an agency) and so many
actions under them, then times what GET /api/pupils/{id}/chronology.pdf does: gathering
the chronology (incidents.chronology_in_full) and drawing the PDF (chronology_pdf.render),
three times each, as a DSL sees it. Writes the last PDF to bench/.data/chronology.pdf.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

from haven.accounts.models import Role
from haven.accounts.service import add_user
from haven.db import close_database, migrate, open_database
from haven.incidents import service as incidents
from haven.incidents.models import (Action, Agency, BodyMapMarker, Category, Incident,
                                    IncidentAgency, IncidentCategory)
from haven.keys import ensure_keys, load_service_keys
from haven.pupils.models import Pupil
from haven.reports import chronology_pdf
from haven.schools.service import add_school

ACCOUNT = ("At morning break Amy came to the office holding her arm. She said that two "
           "older pupils had pushed her against the wall by the science block & taken "
           "her <phone>. She was tearful and said it had happened before, on the way "
           "home, and that she did not want to come to school tomorrow. ") * 3


async def _pupil_with_entries(incidents_wanted: int, actions_wanted: int):
    school = await add_school("Oakfield Academy", "oakfield")
    dina = await add_user(school, "dina@oakfield.example", "Dina Safeguard",
                          "Correct-Horse-42!", ["staff", "dsl"])
    amy = await Pupil.create(school=school, upn="U1", first_name="Amelia",
                             preferred_name="Amy", last_name="Jones",
                             date_of_birth=date(2014, 9, 1), year_group="Year 7", form="7A")
    categories = await Category.filter(school=school, parent_id__not_isnull=True)
    police = await Agency.get(school=school, name="Police")
    start = datetime(2022, 9, 1, 8, 30, tzinfo=UTC)
    await Incident.bulk_create([
        Incident(school=school, number=n + 1, pupil=amy, author=dina, account=ACCOUNT,
                 occurred_at=start + timedelta(hours=13 * n),
                 recorded_at=start + timedelta(hours=13 * n, minutes=20))
        for n in range(incidents_wanted)], batch_size=500)
    made = await Incident.filter(school=school).order_by("number")
    await IncidentCategory.bulk_create([
        IncidentCategory(school=school, incident=i, category=categories[n % len(categories)])
        for n, i in enumerate(made)], batch_size=500)
    await IncidentAgency.bulk_create([
        IncidentAgency(school=school, incident=i, agency=police) for i in made[::5]],
        batch_size=500)
    await BodyMapMarker.bulk_create([
        BodyMapMarker(school=school, incident=i, view=view, x=0.3, y=0.4,
                      note="Bruise, about 3 cm")
        for i in made[::10] for view in ("front", "back")], batch_size=500)
    await Action.bulk_create([
        Action(school=school, incident=made[n % len(made)], author=dina, kind="note",
               text="Spoke to Amy's mother, who will come in on Monday.",
               agency_ids=[police.id],
               recorded_at=made[n % len(made)].recorded_at + timedelta(hours=2))
        for n in range(actions_wanted)], batch_size=500)
    session = SimpleNamespace(school_id=school.id, user_id=dina.id)
    return session, school, dina, amy


async def main(incidents_wanted: int, actions_wanted: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        ensure_keys(Path(folder))
        load_service_keys(Path(folder))
        url = f"sqlite://{folder}/haven.sqlite3"
        await migrate(url)
        await open_database(url)
        try:
            session, school, dina, amy = await _pupil_with_entries(incidents_wanted,
                                                                  actions_wanted)
            for _ in range(3):
                began = time.perf_counter()
                full = await incidents.chronology_in_full(session, amy.id, [Role.DSL])
                gathered = time.perf_counter()
                pdf = chronology_pdf.render(
                    full, school=school.name, timezone="Europe/London",
                    choices=chronology_pdf.Choices(), category_names=[],
                    produced_by=dina.name, produced_at=datetime.now(UTC))
                drawn = time.perf_counter()
                print(f"{len(full.incidents)} incidents + {len(full.actions)} actions: "
                      f"gathered {gathered - began:.2f} s, drawn {drawn - gathered:.2f} s, "
                      f"total {drawn - began:.2f} s, {len(pdf) / 1e6:.1f} MB")
            out = Path(__file__).parent / ".data" / "chronology.pdf"
            out.parent.mkdir(exist_ok=True)
            out.write_bytes(pdf)
        finally:
            await close_database()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=1500)
    parser.add_argument("--actions", type=int, default=500)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.incidents, arguments.actions))
