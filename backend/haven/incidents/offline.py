"""What the record forms need on a device without signal (issue 6): the school's pupils on
roll (names, year and form only), the categories with their guidance, the agencies and
the staff who can be alerted. The app keeps it, encrypted, for the signed-in person,
refreshes it when online and wipes it at sign-out; nothing else personal is kept."""

from __future__ import annotations

from haven import clock
from haven.accounts import staff
from haven.accounts.models import Session
from haven.audit import service as audit
from haven.incidents import categories as catalogue
from haven.pupils import service as pupils
from haven.pupils.roll import Rolls


async def reference(session: Session, rolls: Rolls, *, ip_address: str = "") -> dict:
    school = session.school
    roll = await rolls.of(school)
    listed = sorted(roll.on_roll(clock.now().date()), key=lambda listed: listed.order)
    colleagues = await staff.directory(school, "", leave_out=session.user_id, limit=100_000)
    await audit.record("offline_reference_downloaded", school_id=school.id,
                       actor_id=session.user_id, target_type="school", target_id=school.id,
                       detail={"pupils": len(listed)}, ip_address=ip_address)
    return {
        "generated_at": clock.now(),
        # The names the typeahead searches, so the form finds the same pupils offline.
        "pupils": [{**pupils.summary(entry.pupil), "first_name": entry.pupil.first_name,
                    "preferred_name": entry.pupil.preferred_name,
                    "last_name": entry.pupil.last_name} for entry in listed],
        "categories": await catalogue.categories(school),
        "agencies": await catalogue.agencies(school),
        "staff": colleagues["staff"],
        "always_alerted": colleagues["always_alerted"],
    }
