"""The trust's report: the governors' anonymous figures (incidents in total, by category
and by month, against the period before) for every school of the trust and for the trust
as a whole, for the trust's central team.

It is the one report that crosses schools, and Haven has no trust-level user (a session
is in one school), so it is made on the server by `haven report trust`, not over HTTP,
and written to the audit trail with no school and no actor. Every incident counts,
restricted categories included (nobody's role limits a count that names no one), but
no pupil's or member of staff's name is read. Each school's counts are held back as in
its governors' report (its report_small_numbers setting); the trust's own lines likewise
whenever any school holds back, and each of the trust's counts is held back wherever a
school's count in it is, or the trust's less the other schools' would give it back.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime

from haven import clock
from haven.audit import service as audit
from haven.reports import figures
from haven.reports.charts import Chart
from haven.reports.csv_out import csv_text
from haven.reports.figures import Compared, Scope
from haven.reports.governors import HELD_BACK_NOTE, chart, month_lines, months
from haven.reports.lines import Hidden, Line, Table, table
from haven.reports.periods import Period, reporting_period
from haven.reports.report_pdf import Produced, report_pdf
from haven.schools.models import DEFAULT_SETTINGS, School

TITLE = "Trust safeguarding report"
WHOLE_TRUST = "All schools"
FORMATS = ("csv", "json", "pdf")


@dataclass(frozen=True)
class Counts:
    """One school's figures (or the trust's, summed), before any is held back."""

    total: Compared
    by_category: list[Compared]
    by_month: list[tuple[str, int]]


@dataclass(frozen=True)
class SchoolLines:
    name: str
    slug: str  # "" for the whole trust
    small_numbers_held_back: bool
    total: Line
    by_category: list[Line]
    by_month: list[Line]

    def as_json(self) -> dict:
        return {"school": self.name, "slug": self.slug,
                "small_numbers_held_back": self.small_numbers_held_back,
                "total": self.total.as_json(),
                "by_category": [row.as_json() for row in self.by_category],
                "by_month": [{"month": row.name, "count": row.current}
                             for row in self.by_month]}


@dataclass(frozen=True)
class TrustReport:
    period: Period
    trust: SchoolLines
    schools: list[SchoolLines]

    def notes(self) -> list[str]:
        return ["Each incident counts once under each top-level category it falls under; "
                "the trust's categories are the schools' categories of the same name.",
                "Every incident counts, those in restricted categories included; incidents "
                "marked as entered in error do not.",
                "Each school's periods are whole days in its own time zone.",
                "Where a school holds back small numbers: " + HELD_BACK_NOTE,
                "The trust's lines are held back likewise whenever any school holds back, "
                "and each of the trust's counts wherever a school's count in it is."]

    def charts(self) -> list[Chart]:
        by_school = [replace(school.total, name=school.name) for school in self.schools]
        return [chart("by_month", "Incidents by month, all schools", self.trust.by_month,
                      "bar"),
                chart("by_school", "Incidents by school", by_school, "hbar", compared=True),
                chart("by_category", "Incidents by category, all schools",
                      self.trust.by_category, "hbar", compared=True)]


async def school_counts(school: School, first_day: date, last_day: date) -> Counts:
    """The governors' report's figures, with nothing left out for a reader's role."""
    period = Period(first_day, last_day, school.setting("timezone"))
    scope = Scope(school.id, period, hidden_category_ids=())
    return Counts(await figures.total(scope), await figures.by_category(scope),
                  await figures.by_month(scope))


def summed(every: Iterable[Counts]) -> Counts:
    """The trust's counts: categories by name (in the order the schools list them) and
    months by label."""
    total, categories, months = Compared("all", 0, 0), {}, {}
    for counts in every:
        total = _plus(total, counts.total)
        for row in counts.by_category:
            categories[row.name] = _plus(categories.get(row.name, Compared(row.name, 0, 0)),
                                         row)
        for label, count in counts.by_month:
            months[label] = months.get(label, 0) + count
    return Counts(total, list(categories.values()), list(months.items()))


def _plus(one: Compared, other: Compared) -> Compared:
    return Compared(one.name, one.current + other.current, one.previous + other.previous)


def _table(counts: Counts, suppress: bool, also: Hidden = frozenset()) -> Table:
    return table(counts.total, [counts.by_category, months(counts.by_month)], suppress, also)


def _lines(name: str, slug: str, shown: Table, suppress: bool) -> SchoolLines:
    by_category, by_month = shown.breakdowns
    return SchoolLines(name, slug, suppress, shown.total, by_category, month_lines(by_month))


async def trust_report(first_day: date, last_day: date) -> TrustReport:
    """Raises APIError 400 when the period is not one (see reporting_period)."""
    period = reporting_period(first_day, last_day, DEFAULT_SETTINGS["timezone"])
    schools = await School.all().order_by("name")
    # The schools at once: their queries are independent, and on PostgreSQL the pool
    # runs a few side by side (a trust's year: ~3 s one after another, on 2 cores).
    every = await asyncio.gather(*(school_counts(school, first_day, last_day)
                                   for school in schools))
    suppress = [bool(school.setting("report_small_numbers")) for school in schools]
    tables = [_table(counts, held) for counts, held in zip(every, suppress, strict=True)]
    # Categories and months are matched by name, so a school's held-back count is known
    # by its name in the trust's lines (the totals are all named "all").
    held_by_a_school = set().union(*(shown.hidden() for shown in tables))
    return TrustReport(
        period=period,
        trust=_lines(WHOLE_TRUST, "", _table(summed(every), any(suppress), held_by_a_school),
                     any(suppress)),
        schools=[_lines(school.name, school.slug, shown, held)
                 for school, shown, held in zip(schools, tables, suppress, strict=True)])


def as_json(report: TrustReport) -> dict:
    return {"period": {"from": report.period.first_day, "to": report.period.last_day},
            "previous_period": {"from": report.period.previous().first_day,
                                "to": report.period.previous().last_day},
            "trust": report.trust.as_json(),
            "schools": [school.as_json() for school in report.schools],
            "notes": report.notes()}


def csv_rows(report: TrustReport) -> list[list]:
    """As the governors' report's, with the school first: report_pdf makes a section of
    each school from it."""
    period, previous = report.period, report.period.previous()
    rows = [
        [TITLE, f"{len(report.schools)} schools"],
        ["Period", period.in_words()],
        ["Previous period", previous.in_words()],
        [],
        ["School", "Section", "Item", "This period", "Previous period", "Change", "Change %"],
    ]
    for school in (report.trust, *report.schools):
        for section, section_lines in (("Total", [school.total]),
                                       ("Category", school.by_category),
                                       ("Month", school.by_month)):
            rows += [[school.name, section, row.name, row.current, row.previous, row.change,
                      row.change_percent] for row in section_lines]
    return rows + [[]] + [["Note", note] for note in report.notes()]


async def produce(first_day: date, last_day: date, file_format: str) -> bytes:
    """The report as a file, written to the audit trail (no school, no actor: it is run
    on the server)."""
    if file_format not in FORMATS:
        raise ValueError(file_format)
    report = await trust_report(first_day, last_day)
    await audit.record("report_trust", detail={
        "from": first_day.isoformat(), "to": last_day.isoformat(), "format": file_format})
    if file_format == "csv":
        return csv_text(csv_rows(report)).encode("utf-8")
    if file_format == "pdf":
        produced = Produced(by="The trust's central team (haven report trust)",
                            at=clock.now(), timezone=DEFAULT_SETTINGS["timezone"])
        return await report_pdf(TITLE, f"{WHOLE_TRUST} ({len(report.schools)})",
                                csv_rows(report), report.charts(), produced)
    return json.dumps(as_json(report), default=_plain, indent=1).encode("utf-8")


def _plain(value) -> str:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(type(value).__name__)
