"""Finding pupils: the typeahead staff use to pick the right child."""

from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter
from typing import TYPE_CHECKING

from haven import clock
from haven.pupils.models import Pupil
from haven.schools.models import School

if TYPE_CHECKING:
    from haven.pupils.roll import Rolls

MAX_RESULTS = 20


@dataclass(slots=True)
class Match:
    """A pupil as the typeahead needs them: a plain row, as cheap to make as a tuple (a
    Tortoise model costs twenty times more, and a search may match hundreds)."""

    id: int
    first_name: str
    preferred_name: str
    last_name: str
    year_group: str
    form: str
    photo: str | None

    @property
    def display_name(self) -> str:
        return f"{self.preferred_name or self.first_name} {self.last_name}"


async def find(rolls: Rolls, school: School, query: str, *,
               limit: int = MAX_RESULTS) -> list[Match]:
    """Pupils on roll whose first, preferred or last name or form contains every word of
    the query; those where every word starts a name or the form come first, then by name."""
    words = query.lower().split()[:4]
    if not words:
        return []
    roll, today = await rolls.of(school), clock.now().date()
    # Texts hold "\n" before each name (pupils/roll.py): "\n" + word finds starts.
    found = roll.containing(words[0], today)
    for word in words[1:]:
        found = [listed for listed in found if word in listed.text]
    starts = [f"\n{word}" for word in words]
    starting = [listed for listed in found if all(start in listed.text for start in starts)]
    starting.sort(key=_ORDER)
    if len(starting) < limit:
        first = set(starting)
        starting += sorted((listed for listed in found if listed not in first), key=_ORDER)
    return [listed.pupil for listed in starting[:limit]]


_ORDER = attrgetter("order")


def summary(pupil: Pupil | Match) -> dict:
    """How a pupil is named wherever they appear: enough to tell two children apart."""
    return {"id": pupil.id, "name": pupil.display_name, "year_group": pupil.year_group,
            "form": pupil.form}


def photo_url(pupil: Pupil | Match) -> str | None:
    # The stored name changes with the photo, so a browser never shows an old one.
    return f"/api/pupils/{pupil.id}/photo?v={pupil.photo[:8]}" if pupil.photo else None


def typeahead_entry(pupil: Pupil | Match) -> dict:
    return {**summary(pupil), "photo_url": photo_url(pupil)}


def profile(pupil: Pupil) -> dict:
    """What a key holder sees of a pupil at the top of their page."""
    today = clock.now().date()
    return {
        **typeahead_entry(pupil),
        "upn": pupil.upn,
        "first_name": pupil.first_name,
        "preferred_name": pupil.preferred_name,
        "last_name": pupil.last_name,
        "date_of_birth": pupil.date_of_birth,
        "gender": pupil.gender,
        "on_roll": pupil.left_on is None or pupil.left_on > today,
        "left_on": pupil.left_on,
    }
