"""GET /api/reports/patterns: the patterns of reports/patterns.py, for the key holders'
home screen and as a report, as JSON, CSV or PDF (elevated key holders; audited)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from zoneinfo import ZoneInfo

from typing import Literal

from pydantic import BaseModel
from quart import Blueprint
from quart_schema import document_response, validate_querystring

from haven import clock
from haven.accounts import service as accounts
from haven.audit import service as audit
from haven.reports import charts
from haven.reports.csv_out import csv_response
from haven.reports.patterns import PAST_PERIODS, RECENT_DAYS, Patterns, find_patterns
from haven.reports.pdf import pdf_response, when
from haven.reports.report_pdf import Produced, report_pdf
from haven.reports.report_routes import ChartOut
from haven.web.access import client_ip, current_session, key_holder

blueprint = Blueprint("report_patterns", __name__)


class PupilPatternOut(BaseModel):
    pupil_id: int
    name: str
    year_group: str
    form: str
    count: int
    usual: float
    link: str  # the pupil's page in the app, with the chronology


class CategoryRiseOut(BaseModel):
    category_id: int
    name: str
    count: int
    usual: float


class ThresholdsOut(BaseModel):
    concerns: int
    days: int
    rise_factor: int
    recent_days: int
    past_periods: int


class PatternsOut(BaseModel):
    as_of: datetime
    thresholds: ThresholdsOut
    clusters: list[PupilPatternOut]
    rising_pupils: list[PupilPatternOut]
    rising_categories: list[CategoryRiseOut]
    charts: list[ChartOut]


class PatternsQuery(BaseModel):
    format: Literal["json", "csv", "pdf"] = "json"


def _pupil(pattern) -> dict:
    return {**asdict(pattern), "link": f"/#/pupils/{pattern.pupil_id}"}


def csv_rows(school_name: str, found: Patterns, timezone: str) -> list[list]:
    """As the other reports' CSV (and so their PDF): a few lines, a blank row, the header,
    then a row per pupil or category with its section first."""
    limits = found.thresholds
    rows = [
        ["Patterns", school_name],
        ["As of", when(found.as_of, timezone)],
        ["Cluster", f"{limits.concerns} or more concerns in {limits.days} days"],
        ["Rising", f"at least {limits.concerns} in the last {RECENT_DAYS} days and "
                   f"{limits.rise_factor} times the usual count of the "
                   f"{PAST_PERIODS} periods of {RECENT_DAYS} days before"],
        [],
        ["Section", "Name", "Year group", "Form", "Concerns", "Usual"],
    ]
    for section, found_pupils in (("Several concerns in a few days", found.clusters),
                                  ("Rising against their own past", found.rising_pupils)):
        rows += [[section, p.name, p.year_group, p.form, p.count, p.usual]
                 for p in found_pupils]
    rows += [["Categories rising", c.name, "", "", c.count, c.usual]
             for c in found.rising_categories]
    return rows


@blueprint.get("/api/reports/patterns")
@key_holder
@validate_querystring(PatternsQuery)
@document_response(PatternsOut, 200)
async def patterns(query_args: PatternsQuery):
    session = current_session()
    roles = await accounts.roles_in(session.user_id, session.school_id)
    found = await find_patterns(session.school, roles, clock.now())
    await audit.record("report_patterns", school_id=session.school_id,
                       actor_id=session.user_id, ip_address=client_ip(),
                       detail={"format": query_args.format})
    timezone = session.school.setting("timezone")
    name = f"patterns-{found.as_of.astimezone(ZoneInfo(timezone)):%Y-%m-%d}"
    if query_args.format == "csv":
        return csv_response(csv_rows(session.school.name, found, timezone), f"{name}.csv")
    if query_args.format == "pdf":
        produced = Produced(by=session.user.name, at=found.as_of, timezone=timezone)
        pdf = await report_pdf("Patterns", session.school.name,
                               csv_rows(session.school.name, found, timezone),
                               found.charts(), produced)
        return pdf_response(pdf, f"{name}.pdf")
    return PatternsOut.model_validate({
        "as_of": found.as_of,
        "thresholds": {**asdict(found.thresholds), "recent_days": RECENT_DAYS,
                       "past_periods": PAST_PERIODS},
        "clusters": [_pupil(p) for p in found.clusters],
        "rising_pupils": [_pupil(p) for p in found.rising_pupils],
        "rising_categories": [asdict(c) for c in found.rising_categories],
        "charts": await charts.as_json_all(found.charts()),
    }).model_dump(mode="json"), 200
