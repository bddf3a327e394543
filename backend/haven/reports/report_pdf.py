"""The governors' and Ofsted's reports as PDFs, drawn from the same rows as their CSV
(csv_rows: a few "label, value" lines, a blank row, the header "Section, Item, ...", then
one row per figure with its section first) and the same charts as their JSON, so the
three formats can never say different things.

The cover holds the opening lines and who produced the report; the charts come first,
each with its table alternative beside it in the sections that follow; every section is a
table (with the header's column names when its rows have them all), and "Note" rows are
paragraphs at the end.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from haven.reports.charts import Chart
from haven.reports.pdf import Report

NOTE = "Note"


@dataclass(frozen=True)
class Produced:
    by: str  # the name of who asked for it
    at: datetime
    timezone: str


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _split(rows: list[list]) -> tuple[list[list], list, list[list]]:
    """(opening lines, the header, the figures' rows)."""
    blank = next(i for i, row in enumerate(rows) if not row)
    return rows[:blank], rows[blank + 1], [row for row in rows[blank + 2:] if row]


def _sections(figures: list[list]) -> dict[str, list[list]]:
    sections: dict[str, list[list]] = {}
    for section, *rest in figures:
        sections.setdefault(section, []).append(rest)
    return sections


def _build(title: str, school: str, rows: list[list], charts: list[Chart],
           produced: Produced) -> bytes:
    opening, header, figures = _split(rows)
    report = Report(title=title, school=school, timezone=produced.timezone)
    report.cover(lines=[(_cell(row[0]), " ".join(_cell(v) for v in row[1:]))
                        for row in opening[1:]],
                 produced_by=produced.by, produced_at=produced.at)
    sections = _sections(figures)
    notes = sections.pop(NOTE, [])
    if charts:
        report.heading("Charts")
        for chart in charts:
            report.chart(chart)
    for section, section_rows in sections.items():
        report.heading(section, level=2)
        width = max(len(row) for row in section_rows)
        names = header[1:1 + width] if width == len(header) - 1 else None
        padded = [[_cell(v) for v in row] + [""] * (width - len(row)) for row in section_rows]
        report.table(names, padded)
    if notes:
        report.heading("Notes", level=2)
        for (note,) in notes:
            report.paragraph(note)
    return report.render()


async def report_pdf(title: str, school: str, rows: list[list], charts: list[Chart],
                     produced: Produced) -> bytes:
    """The PDF, drawn in a thread: reportlab is CPU-bound and the server must keep
    answering meanwhile."""
    return await asyncio.to_thread(_build, title, school, rows, charts, produced)
