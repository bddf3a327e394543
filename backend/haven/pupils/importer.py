"""Importing pupils from a school's MIS export (CSV).

The import is an upsert by UPN: new pupils are added, changed ones updated, and (for a
full import) pupils missing from the file are marked as left, never deleted, because
their records must be kept. A file with any bad row imports nothing unless asked to skip
bad rows, and a dry run reports what would change without changing it.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date, datetime

from tortoise.transactions import in_transaction

from haven import clock
from haven.audit import service as audit
from haven.errors import HavenError
from haven.pupils.models import Pupil
from haven.schools.models import School

FIELDS = ("upn", "first_name", "preferred_name", "last_name", "date_of_birth", "year_group",
          "form", "gender", "left_on")
REQUIRED = ("upn", "first_name", "last_name", "date_of_birth", "year_group")
UPDATABLE = ("first_name", "preferred_name", "last_name", "date_of_birth", "year_group",
             "form", "gender", "left_on")

# Column headings of typical exports, mapped to Haven's fields.
COLUMN_MAPS: dict[str, dict[str, str]] = {
    "haven": {name: name for name in FIELDS},
    "sims": {
        "upn": "UPN", "first_name": "Legal Forename", "preferred_name": "Preferred Forename",
        "last_name": "Legal Surname", "date_of_birth": "DOB", "year_group": "Year",
        "form": "Reg", "gender": "Gender", "left_on": "Date of Leaving",
    },
    "arbor": {
        "upn": "UPN", "first_name": "Legal First Name",
        "preferred_name": "Preferred First Name", "last_name": "Legal Last Name",
        "date_of_birth": "Date of Birth", "year_group": "Year Group",
        "form": "Registration Form", "gender": "Gender", "left_on": "Leaving Date",
    },
}
MAX_ROWS = 20_000


def column_map(name_or_json: str | None) -> dict[str, str]:
    """A ready map by name (haven, sims, arbor) or a JSON object {field: heading}.

    Raises HavenError for an unknown name, bad JSON or unknown fields."""
    if not name_or_json:
        return COLUMN_MAPS["haven"]
    if name_or_json.strip().lower() in COLUMN_MAPS:
        return COLUMN_MAPS[name_or_json.strip().lower()]
    try:
        mapping = json.loads(name_or_json)
    except ValueError:
        raise HavenError(f"'{name_or_json}' is not a column map: use haven, sims, arbor or a "
                         'JSON object such as {"upn": "Pupil UPN"}.') from None
    if not isinstance(mapping, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()
    ):
        raise HavenError("A column map is a JSON object of field names to column headings.")
    unknown = sorted(set(mapping) - set(FIELDS))
    if unknown:
        raise HavenError(f"Unknown field(s) in the column map: {', '.join(unknown)}. "
                         f"Fields: {', '.join(FIELDS)}.")
    return {**COLUMN_MAPS["haven"], **mapping}


def parse_date(text: str) -> date:
    """29/11/2012 (as UK MIS exports write it) or 2012-11-29; raises ValueError."""
    text = text.strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"'{text}' is not a date (use 29/11/2012 or 2012-11-29)")


@dataclass
class RowError:
    row: int  # the line in the file, counting the heading as line 1
    field: str
    message: str


@dataclass
class ImportReport:
    dry_run: bool
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    marked_left: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)
    imported: bool = False

    def as_json(self) -> dict:
        return {
            "dry_run": self.dry_run, "imported": self.imported, "created": self.created,
            "updated": self.updated, "unchanged": self.unchanged,
            "marked_left": self.marked_left, "skipped": self.skipped,
            "errors": [e.__dict__ for e in self.errors],
        }


def _read_rows(content: bytes, mapping: dict[str, str]) -> tuple[list[dict], list[RowError]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("cp1252")  # older SIMS exports
        except UnicodeDecodeError:
            raise HavenError("The file is not text: export the pupils as CSV.") from None
    reader = csv.DictReader(io.StringIO(text))
    headings = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = headings
    missing = [mapping[f] for f in REQUIRED if mapping.get(f) not in headings]
    if missing:
        raise HavenError(f"The file has no column {', '.join(repr(m) for m in missing)}. "
                         f"Its columns are: {', '.join(headings) or '(none)'}. Choose the "
                         "right column map (haven, sims, arbor) or give your own.")
    rows, errors, seen = [], [], {}
    for line, raw in enumerate(reader, start=2):
        if len(rows) + len(errors) >= MAX_ROWS:
            raise HavenError(f"The file has more than {MAX_ROWS} pupils: split it.")
        values = {name: (raw.get(heading) or "").strip()
                  for name, heading in mapping.items() if heading in headings}
        if not any(values.values()):
            continue  # a blank line
        row_errors = _check_row(line, values, seen)
        if row_errors:
            errors.extend(row_errors)
            continue
        seen[values["upn"].upper()] = line
        rows.append(values | {"line": line})
    return rows, errors


def _check_row(line: int, values: dict, seen: dict) -> list[RowError]:
    problems = []
    for name in REQUIRED:
        if not values.get(name):
            problems.append(RowError(line, name, f"{name.replace('_', ' ')} is missing"))
    upn = values.get("upn", "").upper()
    if upn and upn in seen:
        problems.append(RowError(line, "upn", f"UPN {upn} is also on line {seen[upn]}"))
    if upn and len(upn) > 32:
        problems.append(RowError(line, "upn", "UPN is longer than 32 characters"))
    for name in ("date_of_birth", "left_on"):
        if values.get(name):
            try:
                values[name] = parse_date(values[name])
            except ValueError as error:
                problems.append(RowError(line, name, str(error)))
    if isinstance(values.get("date_of_birth"), date) and values["date_of_birth"] > clock.now().date():
        problems.append(RowError(line, "date_of_birth", "date of birth is in the future"))
    for name, limit in (("first_name", 100), ("preferred_name", 100), ("last_name", 100),
                        ("year_group", 16), ("form", 32), ("gender", 32)):
        if len(str(values.get(name, ""))) > limit:
            problems.append(RowError(line, name, f"{name.replace('_', ' ')} is longer than "
                                     f"{limit} characters"))
    return problems


def _pupil_values(row: dict) -> dict:
    return {
        "upn": row["upn"].upper(),
        "first_name": row["first_name"],
        "preferred_name": row.get("preferred_name", ""),
        "last_name": row["last_name"],
        "date_of_birth": row["date_of_birth"],
        "year_group": row["year_group"],
        "form": row.get("form", ""),
        "gender": row.get("gender", ""),
        "left_on": row.get("left_on") or None,
    }


async def import_pupils(
    school: School,
    content: bytes,
    *,
    mapping: dict[str, str] | None = None,
    dry_run: bool = False,
    skip_bad_rows: bool = False,
    full: bool = True,
    actor_id: int | None = None,
) -> ImportReport:
    """Upsert the file's pupils into the school. Raises HavenError when the file cannot
    be read at all (not text, required columns missing); bad rows are in the report."""
    rows, errors = _read_rows(content, mapping or COLUMN_MAPS["haven"])
    report = ImportReport(dry_run=dry_run, errors=errors, skipped=len({e.row for e in errors}))
    if errors and not skip_bad_rows:
        report.skipped = 0
        return report
    existing = {p.upn: p for p in await Pupil.filter(school=school)}
    to_create, to_update = [], []
    for row in rows:
        values = _pupil_values(row)
        pupil = existing.get(values["upn"])
        if pupil is None:
            to_create.append(Pupil(school=school, on_roll_from=clock.now().date(), **values))
            continue
        changed = [name for name in UPDATABLE if getattr(pupil, name) != values[name]]
        if changed:
            for name in changed:
                setattr(pupil, name, values[name])
            to_update.append(pupil)
        else:
            report.unchanged += 1
    listed = {_pupil_values(row)["upn"] for row in rows}
    leavers = [p for upn, p in existing.items() if upn not in listed and p.left_on is None] \
        if full else []
    report.created, report.updated, report.marked_left = (
        len(to_create), len(to_update), len(leavers))
    if dry_run:
        return report
    today = clock.now().date()
    for pupil in leavers:
        pupil.left_on = today
    async with in_transaction():
        if to_create:
            await Pupil.bulk_create(to_create, batch_size=500)
        if to_update or leavers:
            await Pupil.bulk_update(to_update + leavers, fields=list(UPDATABLE), batch_size=500)
        await audit.record("pupils_imported", school_id=school.id, actor_id=actor_id,
                           detail={k: v for k, v in report.as_json().items() if k != "errors"})
    report.imported = True
    return report
