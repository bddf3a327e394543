"""The case conference chronology: everything recorded about one pupil in a chosen period
and categories, as a PDF to hand round the table.

It holds what GET /api/pupils/{id}/chronology shows the same reader (incidents.service
decides what that is, restricted categories left out by role), with every detail of each
entry: a cover, a summary (counts by category, incidents per month) and the entries in
time order.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from haven import clock
from haven.accounts.models import Role, Session
from haven.audit import service as audit
from haven.errors import APIError
from haven.incidents import service as incidents
from haven.incidents.models import ActionKind, Category
from haven.reports import body_map
from haven.reports.charts import Chart, Series
from haven.reports.pdf import Report, when

TITLE = "Case conference chronology"
KINDS = {ActionKind.NOTE: "Note", ActionKind.AMENDMENT: "Amendment",
         ActionKind.ENTERED_IN_ERROR: "Entered in error"}


@dataclass
class Choices:
    """What the reader asked for: days in the school's calendar, both included, and
    categories (with their subcategories); empty means all of them."""

    since: date | None = None
    until: date | None = None
    category_ids: tuple[int, ...] = ()


@dataclass
class Download:
    filename: str
    content: bytes


@dataclass
class Chosen:
    """The chronology a reader chose, with the names of the categories chosen."""

    chronology: incidents.FullChronology
    category_names: list[str]


async def gather(session: Session, pupil_id: int, roles: list[Role],
                 choices: Choices) -> Chosen:
    """What the reader chose of the pupil's chronology (the service leaves out what their
    roles may not see). Raises NotFound for a pupil of another school, APIError 400 for a
    range that ends before it starts or a category that is not the school's."""
    if choices.since and choices.until and choices.until < choices.since:
        raise APIError(400, "INVALID_RANGE", "The period ends before it starts.")
    chosen = await Category.filter(school_id=session.school_id,
                                   id__in=list(choices.category_ids)).values_list("name",
                                                                                  flat=True)
    if len(chosen) != len(set(choices.category_ids)):
        raise APIError(400, "UNKNOWN_CATEGORY", "A category chosen does not exist here.")
    zone = session.school.setting("timezone")
    chronology = await incidents.chronology_in_full(
        session, pupil_id, roles, category_ids=list(choices.category_ids),
        since=_start_of(choices.since, zone), until=_end_of(choices.until, zone))
    return Chosen(chronology, sorted(chosen))


async def chronology_pdf(session: Session, pupil_id: int, roles: list[Role],
                         choices: Choices, *, ip_address: str = "") -> Download:
    """The PDF for an elevated key holder (the route checks), audited; errors as gather's."""
    chosen = await gather(session, pupil_id, roles, choices)
    chronology, zone = chosen.chronology, session.school.setting("timezone")
    produced_at = clock.now()
    content = await asyncio.to_thread(
        render, chronology, school=session.school.name, timezone=zone, choices=choices,
        category_names=chosen.category_names, produced_by=session.user.name,
        produced_at=produced_at)
    await audit.record(
        "chronology_pdf_downloaded", school_id=session.school_id, actor_id=session.user_id,
        target_type="pupil", target_id=pupil_id, ip_address=ip_address,
        detail={"from": _iso(choices.since), "to": _iso(choices.until),
                "categories": sorted(set(choices.category_ids)),
                "incidents": len(chronology.incidents)})
    return Download(file_name(chronology.pupil, produced_at, zone), content)


def _start_of(day: date | None, zone: str) -> datetime | None:
    return datetime.combine(day, time(), ZoneInfo(zone)) if day else None


def _end_of(day: date | None, zone: str) -> datetime | None:
    return _start_of(day + timedelta(days=1), zone) - timedelta(microseconds=1) if day else None


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def file_name(pupil, moment: datetime, zone: str, extension: str = "pdf") -> str:
    """Never the pupil's name: a download list or a shared folder shows it to anyone."""
    reference = re.sub(r"[^A-Za-z0-9-]", "", pupil.upn) or str(pupil.id)
    return f"chronology-{reference}-{moment.astimezone(ZoneInfo(zone)):%Y-%m-%d}.{extension}"


def render(chronology: incidents.FullChronology, *, school: str, timezone: str,
           choices: Choices, category_names: list[str], produced_by: str,
           produced_at: datetime) -> bytes:
    """The PDF itself: CPU only, for a thread."""
    pupil = chronology.pupil
    report = Report(title=TITLE, school=school, subject=f"Chronology of {pupil.display_name}",
                    timezone=timezone)
    report.cover(lines=_cover_lines(chronology, choices, category_names), produced_by=produced_by,
                 produced_at=produced_at)
    _summary(report, chronology, timezone)
    report.page_break()
    report.heading("Chronology")
    if not chronology.incidents:
        report.paragraph("Nothing was recorded about this pupil in this period and these "
                         "categories that you may see.")
    for entry in incidents.in_time_order(chronology.incidents, chronology.actions):
        if entry["type"] == "incident":
            _incident(report, entry, timezone)
        else:
            _action(report, entry, timezone)
    return report.render()


def _cover_lines(chronology: incidents.FullChronology, choices: Choices,
                 category_names: list[str]) -> list[tuple[str, str]]:
    pupil = chronology.pupil
    name = f"{pupil.first_name} {pupil.last_name}"
    if pupil.preferred_name and pupil.preferred_name != pupil.first_name:
        name += f" (known as {pupil.preferred_name})"
    return [
        ("Pupil", name),
        ("Date of birth", pupil.date_of_birth.strftime("%d/%m/%Y")),
        ("Year and form", ", ".join(p for p in (pupil.year_group, pupil.form) if p)),
        ("UPN", pupil.upn),
        ("Period", _period(choices)),
        ("Categories", ", ".join(category_names) or "All those you may see"),
        ("Entries", f"{len(chronology.incidents)} incidents, "
                    f"{len(chronology.actions)} actions"),
    ]


def _period(choices: Choices) -> str:
    since = choices.since.strftime("%d/%m/%Y") if choices.since else None
    until = choices.until.strftime("%d/%m/%Y") if choices.until else None
    if since and until:
        return f"{since} to {until}"
    if since or until:
        return f"From {since}" if since else f"Up to {until}"
    return "Everything recorded"


def by_category(chronology: incidents.FullChronology) -> list[tuple[str, int]]:
    """(category, incidents) most first; an incident in several categories counts in each."""
    counted = Counter(name for i in chronology.incidents for name in i["categories"])
    return sorted(counted.items(), key=lambda pair: (-pair[1], pair[0]))


def summary_charts(chronology: incidents.FullChronology, timezone: str) -> list[Chart]:
    """The summary's charts, for the PDF and the pupil's page alike."""
    ranked = by_category(chronology)
    months = _months([i["at"] for i in chronology.incidents], timezone)
    return [
        Chart(key="by-category", title="Incidents by category", kind="hbar",
              unit="incidents",
              description="How many of the incidents in this chronology are in each "
                          "category.",
              labels=[name for name, _ in ranked],
              series=[Series("Incidents", [count for _, count in ranked])]),
        Chart(key="per-month", title="Incidents per month", kind="bar", unit="incidents",
              description="How many incidents happened in each month, from the first to "
                          "the last in this chronology.",
              labels=[label for label, _ in months],
              series=[Series("Incidents", [count for _, count in months])]),
    ]


def _summary(report: Report, chronology: incidents.FullChronology, timezone: str) -> None:
    report.heading("Summary")
    ranked = by_category(chronology)
    report.paragraph("An incident in several categories counts once in each.", small=True)
    report.table(["Category", "Incidents"], [[name, str(count)] for name, count in ranked],
                 widths=[0.75, 0.25])
    categories, months = summary_charts(chronology, timezone)
    report.chart(categories, height=max(90, 40 + 18 * len(ranked)))
    report.chart(months)


def _months(moments: list[datetime], timezone: str) -> list[tuple[str, int]]:
    """(month, how many) from the first moment's month to the last's, none left out."""
    if not moments:
        return []
    zone = ZoneInfo(timezone)
    counted = Counter((m.astimezone(zone).year, m.astimezone(zone).month) for m in moments)
    (year, month), last = min(counted), max(counted)
    months = []
    while (year, month) <= last:
        months.append((date(year, month, 1).strftime("%b %Y"), counted[(year, month)]))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _incident(report: Report, incident: dict, timezone: str) -> None:
    # The heading keeps with the details (keepWithNext): no together() around the entry,
    # which would lay out every account twice.
    report.heading(f"Incident {incident['number']}, {when(incident['at'], timezone)}",
                   level=2)
    report.details([
        ("Recorded", f"{when(incident['recorded_at'], timezone)} by {incident['author']}"),
        ("Categories", ", ".join(incident["categories"])),
        ("This pupil", incident["role"].replace("_", " ").capitalize()),
        ("Agencies", ", ".join(incident["agencies"]) or "None"),
        ("Files", ", ".join(incident["files"]) or "None"),
    ])
    report.paragraph(incident["account"])
    if incident["body_map"]:
        with report.together():
            report.paragraph("<b>Body map</b>", markup=True)
            report.drawing(body_map.drawing(incident["body_map"]))
            report.details([
                (f"{number} ({marker['view']})", marker["note"] or "No note.")
                for number, marker in enumerate(incident["body_map"], start=1)])


def _action(report: Report, action: dict, timezone: str) -> None:
    report.heading(f"Action under incident {action['number']}, "
                   f"{when(action['at'], timezone)}", level=2)
    details = [("Kind", KINDS.get(action["kind"], action["kind"])), ("By", action["author"])]
    details += [(label, ", ".join(action[key])) for label, key in
                (("Agencies", "agencies"), ("Files", "files")) if action[key]]
    report.details(details)
    report.paragraph(action["text"])
