"""A report's lines: a count in the period, the count in the period before, and the
change, with small numbers held back when the school asks for it (governors' reports are
read outside the safeguarding team, and in a small school "2 incidents in Year 9 about a
girl" can name a child)."""

from __future__ import annotations

from dataclasses import dataclass

from haven.reports.figures import Compared

FEWER_THAN_5 = "fewer than 5"
Shown = int | str  # a count, or FEWER_THAN_5


@dataclass(frozen=True)
class Line:
    name: str
    current: Shown
    previous: Shown | None = None  # None: not compared (e.g. months)
    change: int | None = None  # None: not shown, since a count it comes from is not
    change_percent: float | None = None

    def as_json(self) -> dict:
        return {"name": self.name, "count": self.current, "previous": self.previous,
                "change": self.change, "change_percent": self.change_percent}


def is_small(count: int) -> bool:
    return 1 <= count <= 4


def held_back(counts: list[int], suppress: bool) -> set[int]:
    """The positions of the counts to show as FEWER_THAN_5. When exactly one of a set of
    counts that adds up to a shown total is small, the next smallest is held back too:
    otherwise the total less the others gives it away."""
    if not suppress:
        return set()
    small = {i for i, n in enumerate(counts) if is_small(n)}
    if len(small) == 1:
        others = [(n, i) for i, n in enumerate(counts) if n >= 5]
        if others:
            small.add(min(others)[1])
    return small


def lines(compared: list[Compared], suppress: bool) -> list[Line]:
    """A line for each count, counts that add up to a total (so held back together)."""
    now = held_back([c.current for c in compared], suppress)
    before = held_back([c.previous for c in compared], suppress)
    return [_line(c, i in now, i in before) for i, c in enumerate(compared)]


def line(compared: Compared, suppress: bool) -> Line:
    """A line for a count on its own (a total)."""
    return _line(compared, suppress and is_small(compared.current),
                 suppress and is_small(compared.previous))


def _line(compared: Compared, hide_current: bool, hide_previous: bool) -> Line:
    current = FEWER_THAN_5 if hide_current else compared.current
    previous = FEWER_THAN_5 if hide_previous else compared.previous
    if hide_current or hide_previous:
        return Line(compared.name, current, previous)
    change = compared.current - compared.previous
    percent = round(100 * change / compared.previous, 1) if compared.previous else None
    return Line(compared.name, current, previous, change, percent)


def shown(counts: list[int], suppress: bool) -> list[Shown]:
    """Counts without a comparison (months, alerts), held back like lines()."""
    hidden = held_back(counts, suppress)
    return [FEWER_THAN_5 if i in hidden else n for i, n in enumerate(counts)]
