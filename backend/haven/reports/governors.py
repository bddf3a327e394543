"""The governors' report: how many concerns, of what kinds, when, about which year groups
and (where the school records it) which pupils' characteristics, against the period
before; and how quickly alerts are read. Anonymous: no pupil's or member of staff's name
is in it, and counts from 1 to 4 are shown as "fewer than 5", with others "held back"
where the total would give them away (school setting report_small_numbers)."""

from __future__ import annotations

from dataclasses import dataclass

from haven.accounts.models import Role
from haven.incidents import search
from haven.reports import figures
from haven.reports.charts import Chart, Series
from haven.reports.figures import Compared, Durations, Scope, Statement
from haven.reports.lines import Line, Shown, table
from haven.reports.periods import Period
from haven.schools.models import School

NOT_RECORDED = "Not recorded"
HELD_BACK_NOTE = ('Counts from 1 to 4 are shown as "fewer than 5". Where one is, other '
                  'counts beside it (of 5 or more) are shown as "held back", and the total '
                  "too if need be, so that none can be worked out from a total; no change "
                  "is given where either count is held back, nor times to read where the "
                  "number read is.")


@dataclass(frozen=True)
class Acknowledgement:
    """Alerts about the period's incidents: how many, how many read, and how long from
    the alert to its recipient marking it read (minutes)."""

    alerts: Shown
    read: Shown
    unread: Shown
    median_minutes: float | None  # None too where `read` is held back: with one or two
    p90_minutes: float | None  # alerts read, they would give the times themselves


@dataclass(frozen=True)
class GovernorsReport:
    school_name: str
    period: Period
    small_numbers_held_back: bool
    restricted_categories_left_out: bool
    total: Line
    by_category: list[Line]
    by_month: list[Line]
    by_year_group: list[Line]
    characteristic_recorded: bool
    by_gender: list[Line]
    acknowledgement: Acknowledgement

    def notes(self) -> list[str]:
        notes = ["Each incident counts once under each top-level category it falls "
                 "under, and under its pupil's year group and gender as recorded today.",
                 "Incidents marked as entered in error are not counted."]
        if self.small_numbers_held_back:
            notes.append(HELD_BACK_NOTE)
        if self.restricted_categories_left_out:
            notes.append("Incidents in categories restricted to other roles are not "
                         "counted.")
        if not self.characteristic_recorded:
            notes.append("No pupil characteristic (gender) is recorded for the pupils "
                         "concerned.")
        return notes

    def charts(self) -> list[Chart]:
        return [
            chart("by_month", "Incidents by month", self.by_month, "bar"),
            chart("by_category", "Incidents by category", self.by_category, "hbar",
                  compared=True),
            chart("by_year_group", "Incidents by year group", self.by_year_group, "bar",
                  compared=True),
        ]


def _value(count: Shown | None) -> float | None:
    """What a chart draws: nothing for a count held back."""
    return count if isinstance(count, int) else None


def chart(key: str, title: str, rows: list[Line], kind: str, *,
          compared: bool = False) -> Chart:
    series = [Series("This period", [_value(row.current) for row in rows])]
    if compared:
        series.append(Series("Previous period", [_value(row.previous) for row in rows]))
    return Chart(key=key, title=title, kind=kind, unit="incidents",
                 description=f"{title}, {'against the previous period; ' if compared else ''}"
                 "counts held back are not drawn.",
                 labels=[row.name for row in rows], series=series)


async def governors_report(school: School, roles: list[Role], period: Period) -> GovernorsReport:
    scope = Scope(school.id, period, tuple(await search.hidden_categories(school.id, roles)))
    suppress = bool(school.setting("report_small_numbers"))
    genders = await figures.by_pupil(scope, "gender")
    recorded = any(g.name for g in genders)
    # Held back together: each breakdown adds up to the total (or more than it).
    shown = table(await figures.total(scope), [
        await figures.by_category(scope), months(await figures.by_month(scope)),
        _named(await figures.by_pupil(scope, "year_group")),
        _named(genders) if recorded else []], suppress)
    by_category, by_month, by_year_group, by_gender = shown.breakdowns
    return GovernorsReport(
        school_name=school.name, period=period, small_numbers_held_back=suppress,
        restricted_categories_left_out=bool(scope.hidden_category_ids),
        total=shown.total, by_category=by_category, by_month=month_lines(by_month),
        by_year_group=by_year_group, characteristic_recorded=recorded, by_gender=by_gender,
        acknowledgement=_acknowledgement(await alert_read_times(scope), suppress),
    )


def _named(compared: list[Compared]) -> list[Compared]:
    return [Compared(c.name or NOT_RECORDED, c.current, c.previous) for c in compared]


def months(by_month: list[tuple[str, int]]) -> list[Compared]:
    """Months as counts to hold back with the others (they have no period before)."""
    return [Compared(label, count, 0) for label, count in by_month]


def month_lines(shown: list[Line]) -> list[Line]:
    return [Line(row.name, row.current) for row in shown]


async def alert_read_times(scope: Scope) -> Durations:
    """Every alert about the period's incidents, from the alert to its being read."""
    statement = Statement()
    counted = scope.counted(statement)
    return await figures.durations(statement, counted, (
        f"SELECT {statement.seconds('al.read_at', 'al.created_at')} AS s FROM counted c "
        f"JOIN alert al ON al.incident_id = c.id WHERE c.period = '{figures.CURRENT}'"))


def _acknowledgement(times: Durations, suppress: bool) -> Acknowledgement:
    shown = table(Compared("alerts", times.timed + times.waiting, 0),
                  [[Compared("read", times.timed, 0), Compared("unread", times.waiting, 0)]],
                  suppress)
    read, unread = shown.breakdowns[0]
    timed = isinstance(read.current, int)
    return Acknowledgement(alerts=shown.total.current, read=read.current,
                           unread=unread.current,
                           median_minutes=figures.minutes(times.median) if timed else None,
                           p90_minutes=figures.minutes(times.p90) if timed else None)


def as_json(report: GovernorsReport) -> dict:
    ack = report.acknowledgement
    return {
        "school": report.school_name,
        "period": report.period.as_json(),
        "previous_period": report.period.previous().as_json(),
        "small_numbers_held_back": report.small_numbers_held_back,
        "restricted_categories_left_out": report.restricted_categories_left_out,
        "total": report.total.as_json(),
        "by_category": [row.as_json() for row in report.by_category],
        "by_month": [{"month": row.name, "count": row.current} for row in report.by_month],
        "by_year_group": [row.as_json() for row in report.by_year_group],
        "by_characteristic": {"characteristic": "gender",
                              "recorded": report.characteristic_recorded,
                              "lines": [row.as_json() for row in report.by_gender]},
        "acknowledgement": {"alerts": ack.alerts, "read": ack.read, "unread": ack.unread,
                            "median_minutes": ack.median_minutes,
                            "p90_minutes": ack.p90_minutes},
        "notes": report.notes(),
    }


def csv_rows(report: GovernorsReport) -> list[list]:
    period, previous = report.period, report.period.previous()
    ack = report.acknowledgement
    rows = [
        ["Governors' safeguarding report", report.school_name],
        ["Period", period.in_words()],
        ["Previous period", previous.in_words()],
        [],
        ["Section", "Item", "This period", "Previous period", "Change", "Change %"],
    ]
    sections = [("Total", [report.total]), ("Category", report.by_category),
                ("Month", report.by_month), ("Year group", report.by_year_group),
                ("Gender", report.by_gender)]
    for section, section_lines in sections:
        rows += [[section, row.name, row.current, row.previous, row.change,
                  row.change_percent] for row in section_lines]
    rows += [["Alerts", "Sent", ack.alerts], ["Alerts", "Read", ack.read],
             ["Alerts", "Unread", ack.unread],
             ["Alerts", "Minutes to read (median)", ack.median_minutes],
             ["Alerts", "Minutes to read (90th percentile)", ack.p90_minutes], []]
    return rows + [["Note", note] for note in report.notes()]
