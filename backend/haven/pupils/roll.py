"""Each worker's copy of the schools' rolls, for the typeahead.

The typeahead is the hottest route of all: a request a keystroke. Searching a school's
pupils in SQL cost the database 1 to 2.5 ms of CPU a request (four case-insensitive
substring matches on each of the school's ~1,500 rows, which no index serves for one or
two letters); in memory it costs about a tenth of that, and the database nothing.

The database stays the only truth. A trigger moves `school.roll_version` on with every
change to a pupil of the school (migration 0013), and the version comes with the session
that every signed-in request loads, so a worker sees a change at the next request after
it commits and reloads that school's roll: never a stale name, whatever made the change
(an import, a photo, another worker, a fix by hand in SQL).
"""

from __future__ import annotations

import asyncio
from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate
from datetime import date

from tortoise import connections

from haven.db import dialect
from haven.pupils.service import Match
from haven.schools.models import School

_LOAD_SQL = {
    "postgres": "SELECT id, first_name, preferred_name, last_name, year_group, form, photo, "
                "left_on FROM pupil WHERE school_id = $1",
    "sqlite": "SELECT id, first_name, preferred_name, last_name, year_group, form, photo, "
              "left_on FROM pupil WHERE school_id = ?",
}


@dataclass(frozen=True, slots=True, eq=False)  # the same pupil is the same object
class Listed:
    """A pupil of the roll with what the search compares, worked out once."""

    pupil: Match
    left_on: date | None
    # "\n" before each of first, preferred and last name and form, lower-cased: a typed
    # word (never holding a newline) is in `text` when it is in one of them, and
    # "\n" + word is in it when it starts one of them.
    text: str
    order: tuple[str, str, int]

    def on_roll(self, today: date) -> bool:
        return self.left_on is None or self.left_on > today


def _listed(row) -> Listed:
    *shown, left_on = tuple(row)
    pupil = Match(*shown)
    if isinstance(left_on, str):  # SQLite gives dates as text
        left_on = date.fromisoformat(left_on)
    names = (pupil.first_name, pupil.preferred_name, pupil.last_name, pupil.form)
    return Listed(pupil, left_on, "".join(f"\n{name.lower()}" for name in names),
                  (pupil.last_name.lower(), pupil.display_name.lower(), pupil.id))


class Roll:
    """One school's pupils, leavers too, as of one roll version."""

    def __init__(self, version: int, pupils: tuple[Listed, ...]) -> None:
        self.version = version
        self.pupils = pupils
        self._today: _OnRoll | None = None

    def containing(self, word: str, today: date) -> list[Listed]:
        """The pupils on roll today with `word` in a name or the form."""
        return self._on(today).containing(word)

    def on_roll(self, today: date) -> list[Listed]:
        return self._on(today).pupils

    def _on(self, today: date) -> _OnRoll:
        if self._today is None or self._today.day != today:
            self._today = _OnRoll(today, [p for p in self.pupils if p.on_roll(today)])
        return self._today


class _OnRoll:
    """The pupils on roll on one day, their texts end to end in one string: finding a word
    is then a C loop over the string rather than a Python loop over the pupils."""

    def __init__(self, day: date, pupils: list[Listed]) -> None:
        self.day = day
        self.pupils = pupils
        self.starts = list(accumulate((len(p.text) for p in pupils), initial=0))
        self.texts = "".join(p.text for p in pupils)

    def containing(self, word: str) -> list[Listed]:
        found, at = [], self.texts.find(word)
        while at >= 0:
            index = bisect_right(self.starts, at) - 1
            found.append(self.pupils[index])
            # A text never holds a newline inside a name, nor a word: a hit never crosses
            # into the next pupil, whose text is where the search goes on.
            at = self.texts.find(word, self.starts[index + 1])
        return found


class Rolls:
    """The rolls one worker holds, by school. Made with the app (see app.py)."""

    def __init__(self) -> None:
        self._held: dict[int, Roll] = {}
        self._loading: dict[int, asyncio.Lock] = {}

    async def of(self, school: School) -> Roll:
        """The school's roll as of `school.roll_version` or later."""
        held = self._held.get(school.id)
        if held is not None and held.version == school.roll_version:
            return held
        # One load at a time per school: the first keystrokes after a change would
        # otherwise each read the whole roll.
        async with self._loading.setdefault(school.id, asyncio.Lock()):
            held = self._held.get(school.id)
            if held is not None and held.version == school.roll_version:
                return held
            # Read after the version was, so what is read is that version or newer. Kept
            # under the version seen: if it is newer, the next request sees another
            # version and reads it again.
            _, rows = await connections.get("default").execute_query(
                _LOAD_SQL[dialect()], [school.id]
            )
            held = self._held[school.id] = Roll(school.roll_version,
                                                tuple(_listed(row) for row in rows))
            return held
