"""The aggregate queries the reports are made of. Each is one GROUP BY over the incidents
a report counts, for the period and the one before it at once: a report never loads
incidents into Python (issue 7: a school's year under a second on a million incidents).

The counted incidents: the school's, that happened in the period or the previous one, not
marked entered in error, and in none of the categories the reader's role may not see
(service.roles_may_see's rule; unlike the search, a report makes no exception for what the
reader wrote or was alerted to, so that two key holders of one role see the same figures).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise import connections

from haven.db import dialect
from haven.incidents.models import ActionKind, Category
from haven.reports.periods import Period

CURRENT, PREVIOUS = "current", "previous"


class Statement:
    """SQL and its values, with numbered placeholders in the database's own style ($1 on
    PostgreSQL, ?1 on SQLite), so fragments can be bound in any order."""

    def __init__(self) -> None:
        self.postgres = dialect() == "postgres"
        self.values: list = []

    def bind(self, value) -> str:
        if isinstance(value, datetime) and not self.postgres:
            # As Tortoise stores them on SQLite: text in UTC, which sorts in time order.
            value = value.astimezone(UTC).isoformat(sep=" ")
        self.values.append(value)
        return f"${len(self.values)}" if self.postgres else f"?{len(self.values)}"

    def seconds(self, later: str, earlier: str) -> str:
        if self.postgres:
            return f"EXTRACT(EPOCH FROM ({later} - {earlier}))"
        return f"((julianday({later}) - julianday({earlier})) * 86400.0)"

    async def rows(self, sql: str) -> list[tuple]:
        _, found = await connections.get("default").execute_query(sql, self.values)
        return [tuple(row.values()) if isinstance(row, dict) else tuple(row) for row in found]


@dataclass(frozen=True)
class Scope:
    """What a report counts: one school's incidents in a period (and the one before it),
    leaving out the categories hidden from the reader."""

    school_id: int
    period: Period
    hidden_category_ids: tuple[int, ...]

    @property
    def previous(self) -> Period:
        return self.period.previous()

    def counted(self, statement: Statement) -> str:
        """WITH counted(id, pupil_id, occurred_at, recorded_at, period): the incidents."""
        hidden = ""
        if self.hidden_category_ids:
            ids = ", ".join(str(int(i)) for i in self.hidden_category_ids)
            hidden = (" AND NOT EXISTS (SELECT 1 FROM incident_category ic WHERE "
                      f"ic.incident_id = i.id AND ic.category_id IN ({ids}))")
        start = statement.bind(self.period.start)
        return (
            "WITH counted AS (SELECT i.id, i.pupil_id, i.occurred_at, i.recorded_at, "
            f"CASE WHEN i.occurred_at >= {start} THEN '{CURRENT}' ELSE '{PREVIOUS}' END "
            "AS period FROM incident i "
            f"WHERE i.school_id = {statement.bind(self.school_id)} "
            f"AND i.occurred_at >= {statement.bind(self.previous.start)} "
            f"AND i.occurred_at < {statement.bind(self.period.end)}{hidden} "
            "AND NOT EXISTS (SELECT 1 FROM incident_action x WHERE x.incident_id = i.id "
            f"AND x.kind = '{ActionKind.ENTERED_IN_ERROR}')) ")


@dataclass(frozen=True)
class Compared:
    """A count in the period and in the one before it."""

    name: str
    current: int
    previous: int


def _compared(rows: list[tuple], names: list[str] | None = None) -> list[Compared]:
    """(period, name, count) rows as one Compared per name: `names` first, in order (with
    zeros), then any others in order of name."""
    counts: dict[str, dict[str, int]] = {name: {} for name in names or []}
    for period, name, count in rows:
        counts.setdefault(name, {})[period] = int(count)
    return [Compared(name, found.get(CURRENT, 0), found.get(PREVIOUS, 0))
            for name, found in counts.items()]


async def total(scope: Scope) -> Compared:
    statement = Statement()
    sql = scope.counted(statement) + "SELECT period, 'all', COUNT(*) FROM counted GROUP BY period"
    return (_compared(await statement.rows(sql), ["all"]))[0]


async def by_category(scope: Scope) -> list[Compared]:
    """Incidents under each top-level category the reader may see (an incident in two
    subcategories of one counts once under it), in the school's order."""
    tops = await Category.filter(school_id=scope.school_id, parent_id=None).exclude(
        id__in=list(scope.hidden_category_ids)).order_by("position", "name").values_list(
        "id", "name")
    statement = Statement()
    # The school's condition on the links too: PostgreSQL then reads the school's links
    # from their (school_id, incident_id, category_id) index instead of every school's.
    sql = scope.counted(statement) + (
        "SELECT c.period, COALESCE(cat.parent_id, cat.id), COUNT(DISTINCT c.id) "
        "FROM counted c JOIN incident_category ic ON ic.incident_id = c.id "
        f"AND ic.school_id = {statement.bind(scope.school_id)} "
        "JOIN category cat ON cat.id = ic.category_id GROUP BY 1, 2")
    names = dict(tops)
    rows = [(period, names[top], n) for period, top, n in await statement.rows(sql)
            if top in names]
    return _compared(rows, [name for _, name in tops])


async def by_pupil(scope: Scope, column: str) -> list[Compared]:
    """Incidents by a field of the pupil they are about (year_group or gender) as it is
    recorded now; "" when it is not recorded."""
    if column not in ("year_group", "gender"):
        raise ValueError(column)
    statement = Statement()
    sql = scope.counted(statement) + (
        f"SELECT c.period, p.{column}, COUNT(*) FROM counted c "
        f"JOIN pupil p ON p.id = c.pupil_id GROUP BY 1, 2")
    return _compared(sorted(await statement.rows(sql), key=lambda row: _natural(row[1])))


def _natural(text: str) -> tuple:
    """Year 7 before Year 10; the unrecorded last."""
    digits = "".join(ch for ch in text if ch.isdigit())
    return (text == "", text.rstrip("0123456789 "), int(digits) if digits else 0, text)


async def by_month(scope: Scope) -> list[tuple[str, int]]:
    """(YYYY-MM, incidents) for each month of the period, in the school's time zone."""
    statement = Statement()
    counted = scope.counted(statement)
    months = scope.period.months()
    cases = " ".join(f"WHEN c.occurred_at < {statement.bind(end)} THEN {statement.bind(label)}"
                     for label, _, end in months)
    sql = counted + (f"SELECT CASE {cases} END, COUNT(*) FROM counted c "
                     f"WHERE c.period = '{CURRENT}' GROUP BY 1")
    found = dict(await statement.rows(sql))
    return [(label, int(found.get(label, 0))) for label, _, _ in months]


@dataclass(frozen=True)
class Durations:
    """How long something took, over the period's incidents: how many were timed, how
    many are still waiting, and the median and 90th percentile in seconds."""

    timed: int
    waiting: int
    median: float | None
    p90: float | None


def minutes(seconds: float | None) -> float | None:
    """A duration as the reports give it: minutes to one decimal place."""
    return None if seconds is None else round(seconds / 60, 1)


async def durations(statement: Statement, counted: str, sql: str) -> Durations:
    """`sql` selects one column, `s`: the seconds something took, NULL where it has not
    happened yet; `counted` is scope.counted(statement), which it reads from."""
    timed, waiting = (await statement.rows(
        f"{counted}SELECT COUNT(s), COUNT(*) - COUNT(s) FROM ({sql}) d"))[0]
    if statement.postgres:
        median, p90 = (await statement.rows(
            f"{counted}SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY s), "
            f"percentile_cont(0.9) WITHIN GROUP (ORDER BY s) FROM ({sql}) d"))[0]
        return Durations(int(timed), int(waiting), _seconds(median), _seconds(p90))
    # SQLite has no percentiles: one number a row, on one school's own server.
    values = [row[0] for row in await statement.rows(
        f"{counted}SELECT s FROM ({sql}) d WHERE s IS NOT NULL ORDER BY s")]
    return Durations(int(timed), int(waiting), percentile(values, 0.5),
                     percentile(values, 0.9))


def _seconds(value) -> float | None:
    return None if value is None else round(float(value), 1)


def percentile(ordered: list[float], fraction: float) -> float | None:
    """As PostgreSQL's percentile_cont: linear between the two nearest values."""
    if not ordered:
        return None
    position = fraction * (len(ordered) - 1)
    below, above = math.floor(position), math.ceil(position)
    value = ordered[below] + (ordered[above] - ordered[below]) * (position - below)
    return _seconds(value)
