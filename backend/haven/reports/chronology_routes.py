"""The case conference chronology as a report: GET /api/pupils/{id}/chronology.pdf, .csv,
and /chronology/summary (its counts and charts, for the pupil's page). The entries
themselves, on screen, are GET /api/pupils/{id}/chronology (incidents/routes.py)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field, field_validator
from quart import Blueprint
from quart_schema import validate_querystring

from haven import clock
from haven.accounts import service as accounts
from haven.audit import service as audit
from haven.incidents import service as incidents
from haven.reports import charts
from haven.reports.chronology_pdf import (
    KINDS, Choices, by_category, chronology_pdf, file_name, gather, summary_charts)
from haven.reports.csv_out import csv_response
from haven.reports.pdf import pdf_response, when
from haven.web.access import client_ip, current_session, key_holder

blueprint = Blueprint("chronology_pdf", __name__)


class ChronologyPdfQuery(BaseModel):
    from_: date | None = Field(default=None, alias="from",
                               description="First day, in the school's calendar")
    to: date | None = Field(default=None, description="Last day, included")
    category: list[int] = Field(default_factory=list, max_length=50, description=(
        "Repeat for several; subcategories included; none: every category"))

    @field_validator("category", mode="before")
    @classmethod
    def _one_or_many(cls, value):
        # ?category=3 arrives as one value, ?category=3&category=4 as a list.
        return value if isinstance(value, list) else [value]


@blueprint.get("/api/pupils/<int:pupil_id>/chronology.pdf")
@key_holder
@validate_querystring(ChronologyPdfQuery)
async def download(pupil_id: int, query_args: ChronologyPdfQuery):
    session = current_session()
    roles = await accounts.roles_in(session.user_id, session.school_id)
    pdf = await chronology_pdf(session, pupil_id, roles, _choices(query_args),
                               ip_address=client_ip())
    return pdf_response(pdf.content, pdf.filename)


def _choices(query: ChronologyPdfQuery) -> Choices:
    return Choices(since=query.from_, until=query.to, category_ids=tuple(query.category))


async def _chosen(pupil_id: int, query: ChronologyPdfQuery, action: str):
    """The reader's choice of the chronology, audited as `action`."""
    session = current_session()
    roles = await accounts.roles_in(session.user_id, session.school_id)
    chosen = await gather(session, pupil_id, roles, _choices(query))
    await audit.record(action, school_id=session.school_id, actor_id=session.user_id,
                       target_type="pupil", target_id=pupil_id, ip_address=client_ip(),
                       detail={"from": query.from_ and query.from_.isoformat(),
                               "to": query.to and query.to.isoformat(),
                               "categories": sorted(set(query.category))})
    return chosen


@blueprint.get("/api/pupils/<int:pupil_id>/chronology/summary")
@key_holder
@validate_querystring(ChronologyPdfQuery)
async def summary(pupil_id: int, query_args: ChronologyPdfQuery):
    """The chronology's summary, as the PDF's: counts by category and its charts."""
    chosen = await _chosen(pupil_id, query_args, "chronology_summary_viewed")
    chronology = chosen.chronology
    timezone = current_session().school.setting("timezone")
    return {
        "incidents": len(chronology.incidents),
        "actions": len(chronology.actions),
        "by_category": [{"name": name, "count": count}
                        for name, count in by_category(chronology)],
        "charts": await charts.as_json_all(summary_charts(chronology, timezone)),
    }, 200


@blueprint.get("/api/pupils/<int:pupil_id>/chronology.csv")
@key_holder
@validate_querystring(ChronologyPdfQuery)
async def download_csv(pupil_id: int, query_args: ChronologyPdfQuery):
    """Every entry of the chronology a row, in time order, for a spreadsheet."""
    chosen = await _chosen(pupil_id, query_args, "chronology_csv_downloaded")
    chronology = chosen.chronology
    timezone = current_session().school.setting("timezone")
    rows = [["Entry", "When", "Incident", "Recorded", "By", "Categories", "This pupil",
             "Agencies", "Files", "Text"]]
    for entry in incidents.in_time_order(chronology.incidents, chronology.actions):
        is_incident = entry["type"] == "incident"
        rows.append([
            "Incident" if is_incident else KINDS.get(entry["kind"], entry["kind"]),
            when(entry["at"], timezone), entry["number"],
            when(entry["recorded_at"], timezone) if is_incident else "",
            entry["author"], ", ".join(entry.get("categories", [])),
            entry["role"].replace("_", " ") if is_incident else "",
            ", ".join(entry["agencies"]), ", ".join(entry["files"]),
            entry["account"] if is_incident else entry["text"]])
    return csv_response(rows, file_name(chronology.pupil, clock.now(), timezone, "csv"))
