"""Finding pupils: the typeahead staff use to pick the right child."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise import connections

from haven import clock
from haven.db import dialect
from haven.pupils.models import Pupil
from haven.schools.models import School

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


_SHOWN = tuple(Match.__dataclass_fields__)


def _starts(pupil: Match, word: str) -> bool:
    return any(value.lower().startswith(word) for value in
               (pupil.first_name, pupil.preferred_name, pupil.last_name, pupil.form) if value)


_NAMES = ("first_name", "preferred_name", "last_name", "form")


def _like(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _search_sql(words: int, postgres: bool) -> str:
    """The typeahead's query, as SQL of its own: the hottest query of all, where building
    it through the ORM cost more than running it (bench/orm_overhead.py)."""
    mark = (lambda n: f"${n}") if postgres else (lambda n: "?")
    match = ((lambda column, n: f"{column} ILIKE {mark(n)} ESCAPE '\\'") if postgres else
             (lambda column, n: f"UPPER({column}) LIKE UPPER({mark(n)}) ESCAPE '\\'"))
    conditions = [f"({' OR '.join(match(column, 3 + index) for column in _NAMES)})"
                  for index in range(words)]
    return (f"SELECT {', '.join(_SHOWN)} FROM pupil WHERE school_id = {mark(1)} "
            f"AND (left_on IS NULL OR left_on > {mark(2)}) AND {' AND '.join(conditions)} "
            "LIMIT 500")


async def find(school: School, query: str, *, limit: int = MAX_RESULTS) -> list[Match]:
    """Pupils on roll whose first, preferred or last name or form contains every word of
    the query; those where every word starts a name or the form come first, then by name."""
    words = [w for w in query.lower().split() if w][:4]
    if not words:
        return []
    postgres = dialect() == "postgres"
    sql = _search_sql(len(words), postgres)
    values = [school.id, clock.now().date(), *(_like(w) for w in words)]
    if not postgres:  # SQLite numbers each ? once: every word's pattern once per column
        values = values[:2] + [pattern for pattern in values[2:] for _ in _NAMES]
    _, rows = await connections.get("default").execute_query(sql, values)
    found = [Match(*row) for row in rows]
    found.sort(key=lambda p: (not all(_starts(p, w) for w in words),
                              p.last_name.lower(), p.display_name.lower(), p.id))
    return found[:limit]


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
