"""A report's lines: a count in the period, the count in the period before, and the
change, with small numbers held back when the school asks for it (governors' reports are
read outside the safeguarding team, and in a small school "2 incidents in Year 9 about a
girl" can name a child).

Holding back one count is not enough when the counts beside it and their total are shown:
the total less the others gives it back. So the counts of a breakdown and the total they
add up to are held back together (see `table`), and each held-back count is left with
more than one value it could have, given what is shown."""

from __future__ import annotations

from dataclasses import dataclass

from haven.reports.figures import Compared

FEWER_THAN_5 = "fewer than 5"  # a count from 1 to 4, and only that
HELD_BACK = "held back"  # a count kept back to protect another: 5 or more, or a total
Shown = int | str  # a count, FEWER_THAN_5 or HELD_BACK
COLUMNS = ("current", "previous")
TOTAL = -1  # the total's place in a Hidden key, beside a breakdown's index
Hidden = set[tuple[int, str, str]]  # (breakdown index or TOTAL, line name, column)


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


@dataclass(frozen=True)
class Table:
    """A total and the breakdowns of it (by category, by month...), as shown."""

    total: Line
    breakdowns: list[list[Line]]

    def hidden(self) -> Hidden:
        """Which counts are not shown: the trust holds back its sums of them."""
        rows = [(TOTAL, self.total)] + [(i, row) for i, rows in enumerate(self.breakdowns)
                                        for row in rows]
        return {(i, row.name, column) for i, row in rows for column in COLUMNS
                if isinstance(getattr(row, column), str)}


def is_small(count: int) -> bool:
    return 1 <= count <= 4


def table(total: Compared, breakdowns: list[list[Compared]], suppress: bool,
          also: Hidden = frozenset()) -> Table:
    """The lines of a total and its breakdowns, each counted as adding up to the total
    (the safe side: an incident in two categories counts under both). `also`: counts to
    hold back whatever their size (the trust's, where a school's is held back)."""
    labels = {}
    for column in COLUMNS:
        counts = [[getattr(c, column) for c in rows] for rows in breakdowns]
        forced = [{j for j, c in enumerate(rows) if (i, c.name, column) in also}
                  for i, rows in enumerate(breakdowns)]
        total_label, cells = _held_back(getattr(total, column), counts, suppress,
                                        (TOTAL, total.name, column) in also, forced)
        labels[TOTAL, 0, column] = total_label
        labels |= {(i, j, column): label for i, held in enumerate(cells)
                   for j, label in held.items()}
    return Table(_line(total, labels.get((TOTAL, 0, "current")),
                       labels.get((TOTAL, 0, "previous"))),
                 [[_line(c, labels.get((i, j, "current")), labels.get((i, j, "previous")))
                   for j, c in enumerate(rows)] for i, rows in enumerate(breakdowns)])


def _held_back(total: int, breakdowns: list[list[int]], suppress: bool,
               total_forced: bool, forced: list[set[int]]
               ) -> tuple[str | None, list[dict[int, str]]]:
    """One column's labels: the total's (None: shown) and each breakdown's {position:
    label}. In each breakdown the counts from 1 to 4 are held back, and with them the
    smallest of the others, one by one, until none of those held back can be worked out
    from the total (see _pinned). If none is left to hold back and one still could be, the
    total is held back; and then every breakdown holds back a count, or its sum would
    give the total again."""
    if not suppress:
        return None, [{} for _ in breakdowns]
    total_label = FEWER_THAN_5 if is_small(total) else HELD_BACK if total_forced else None
    every = []
    for counts, held in zip(breakdowns, forced, strict=True):
        hidden = {i: _label(counts[i]) for i, n in enumerate(counts) if is_small(n) or i in held}
        shown_in_turn = sorted((n, i) for i, n in enumerate(counts) if n and i not in hidden)
        while hidden and _pinned([counts[i] for i in hidden], [hidden[i] for i in hidden]):
            if not shown_in_turn:
                total_label = HELD_BACK  # "fewer than 5" would bound it: see the tests
                break
            hidden[shown_in_turn.pop(0)[1]] = HELD_BACK
        every.append(hidden)
    if total_label:
        for counts, hidden in zip(breakdowns, every, strict=True):
            nonzero = sorted((n, i) for i, n in enumerate(counts) if n)
            if nonzero and not hidden:
                hidden[nonzero[0][1]] = _label(nonzero[0][0])
    return total_label, every


def _label(count: int) -> str:
    return FEWER_THAN_5 if is_small(count) else HELD_BACK


def _pinned(counts: list[int], labels: list[str]) -> bool:
    """Whether a reader who has the total, and so the sum of these held-back counts,
    could tell one of them exactly: each is 1 to 4 ("fewer than 5") or 5 or more
    ("held back"), so one is known when the others' least or greatest sum leaves it a
    single value."""
    low = [1 if label == FEWER_THAN_5 else 5 for label in labels]
    high = [4 if label == FEWER_THAN_5 else None for label in labels]
    total = sum(counts)
    for i in range(len(counts)):
        others_low = sum(low) - low[i]
        others_high = None if any(h is None for j, h in enumerate(high) if j != i) \
            else sum(h for j, h in enumerate(high) if j != i)
        least = max(low[i], total - others_high if others_high is not None else low[i])
        most = total - others_low if high[i] is None else min(high[i], total - others_low)
        if least == most:
            return True
    return False


def lines(compared: list[Compared], suppress: bool) -> list[Line]:
    """A line for each count of a breakdown whose total is shown."""
    return table(_sum(compared), [compared], suppress).breakdowns[0]


def line(compared: Compared, suppress: bool) -> Line:
    """A line for a count on its own."""
    return table(compared, [], suppress).total


def _sum(compared: list[Compared]) -> Compared:
    return Compared("all", sum(c.current for c in compared),
                    sum(c.previous for c in compared))


def _line(compared: Compared, current_label: str | None, previous_label: str | None) -> Line:
    current = current_label or compared.current
    previous = previous_label or compared.previous
    if current_label or previous_label:
        return Line(compared.name, current, previous)
    change = compared.current - compared.previous
    percent = round(100 * change / compared.previous, 1) if compared.previous else None
    return Line(compared.name, current, previous, change, percent)
