"""GET /api/reports/governors and /api/reports/ofsted: the reports for governors and for
Ofsted, as JSON (with their charts, SVG included), CSV or PDF, for elevated key holders;
every one is written to the audit trail."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field
from quart import Blueprint
from quart_schema import document_response, validate_querystring

from haven import clock
from haven.accounts import service as accounts
from haven.audit import service as audit
from haven.reports import charts as report_charts
from haven.reports import governors, ofsted
from haven.reports.csv_out import csv_response
from haven.reports.periods import reporting_period
from haven.reports.pdf import pdf_response
from haven.reports.report_pdf import Produced, report_pdf
from haven.web.access import client_ip, current_session, key_holder

blueprint = Blueprint("reports", __name__)

Count = int | Literal["fewer than 5", "held back"]
# Who produced an anonymous report, on its cover (the audit trail names them).
ANONYMOUS_AUTHOR = "The school's designated safeguarding lead or senior leadership"


class ReportQuery(BaseModel):
    from_: date | None = Field(default=None, alias="from", description="First day, "
                               "inclusive; defaults to a year before 'to'")
    to: date | None = Field(default=None, description="Last day, inclusive; defaults to "
                            "today in the school's time zone")
    format: Literal["json", "csv", "pdf"] = "json"


class PeriodOut(BaseModel):
    from_: date = Field(alias="from")
    to: date
    time_zone: str


class LineOut(BaseModel):
    name: str
    count: Count
    previous: Count | None
    change: int | None = Field(description="Null where either count is held back")
    change_percent: float | None


class MonthOut(BaseModel):
    month: str = Field(description="YYYY-MM")
    count: Count


class CharacteristicOut(BaseModel):
    characteristic: str
    recorded: bool
    lines: list[LineOut]


class AcknowledgementOut(BaseModel):
    alerts: Count
    read: Count
    unread: Count
    median_minutes: float | None
    p90_minutes: float | None


class SeriesOut(BaseModel):
    name: str
    values: list[float | None]


class ChartOut(BaseModel):
    """A chart, drawn from the same figures as the PDF's: its SVG (role="img", with its
    title and description) and the labels and series for a table beside it."""

    key: str
    title: str
    description: str
    kind: str
    unit: str
    labels: list[str]
    series: list[SeriesOut]
    svg: str


class GovernorsOut(BaseModel):
    school: str
    period: PeriodOut
    previous_period: PeriodOut
    small_numbers_held_back: bool
    restricted_categories_left_out: bool
    total: LineOut
    by_category: list[LineOut]
    by_month: list[MonthOut]
    by_year_group: list[LineOut]
    by_characteristic: CharacteristicOut
    acknowledgement: AcknowledgementOut
    notes: list[str]
    charts: list[ChartOut]


class VolumesOut(LineOut):
    trend: Literal["rising", "falling", "steady"]
    trend_rule: str


class DurationsOut(BaseModel):
    definition: str
    timed: int
    median_minutes: float | None
    p90_minutes: float | None
    without_action: int | None = None
    unread: int | None = None


class AgencyCount(BaseModel):
    agency: str
    incidents: int


class ReferralsOut(BaseModel):
    definition: str
    total: int
    by_agency: list[AgencyCount]


class StaffOut(BaseModel):
    name: str
    email: str
    roles: list[str]


class AuditTrailOut(BaseModel):
    intact: bool
    rows_checked: int
    whole_trail: bool = Field(description="False: only the newest rows and the sealed "
                              "head were checked; `haven audit verify` checks them all")
    problem: str


class OfstedOut(BaseModel):
    school: str
    period: PeriodOut
    previous_period: PeriodOut
    restricted_categories_left_out: bool
    volumes: VolumesOut
    by_month: list[MonthOut]
    by_category: list[LineOut]
    time_to_first_action: DurationsOut
    time_to_key_holder_read: DurationsOut
    open_referrals: ReferralsOut
    escalated: int
    staff_without_authenticator: list[StaffOut]
    audit_trail: AuditTrailOut
    charts: list[ChartOut]


@dataclass(frozen=True)
class Kind:
    """What makes one report: its builder, renderings, schema, audit action and file name."""

    build: Callable
    as_json: Callable
    csv_rows: Callable
    model: type[BaseModel]
    action: str
    file_name: str
    title: str
    anonymous: bool  # no pupil's or member of staff's name anywhere, its cover included


GOVERNORS = Kind(governors.governors_report, governors.as_json, governors.csv_rows,
                 GovernorsOut, "report_governors", "governors-report",
                 "Governors' safeguarding report", anonymous=True)
OFSTED = Kind(ofsted.ofsted_report, ofsted.as_json, ofsted.csv_rows, OfstedOut,
              "report_ofsted", "safeguarding-overview", "Safeguarding overview",
              anonymous=False)


async def _answer(kind: Kind, query: ReportQuery):
    """The report for the signed-in key holder's school and roles, audited, as asked."""
    session = current_session()
    period = reporting_period(query.from_, query.to, session.school.setting("timezone"))
    roles = await accounts.roles_in(session.user_id, session.school_id)
    report = await kind.build(session.school, roles, period)
    await audit.record(kind.action, school_id=session.school_id, actor_id=session.user_id,
                       target_type="school", target_id=session.school_id,
                       ip_address=client_ip(), detail={
                           "from": period.first_day.isoformat(),
                           "to": period.last_day.isoformat(), "format": query.format})
    name = f"{kind.file_name}-{period.first_day}-{period.last_day}"
    if query.format == "csv":
        return csv_response(kind.csv_rows(report), f"{name}.csv")
    if query.format == "pdf":
        produced = Produced(by=ANONYMOUS_AUTHOR if kind.anonymous else session.user.name,
                            at=clock.now(),
                            timezone=session.school.setting("timezone"))
        pdf = await report_pdf(kind.title, session.school.name, kind.csv_rows(report),
                               report.charts(), produced)
        return pdf_response(pdf, f"{name}.pdf")
    body = {**kind.as_json(report),
            "charts": await report_charts.as_json_all(report.charts())}
    # Checked here rather than by @validate_response, which cannot pass a CSV through.
    return kind.model.model_validate(body).model_dump(mode="json", by_alias=True), 200


@blueprint.get("/api/reports/governors")
@key_holder
@validate_querystring(ReportQuery)
@document_response(GovernorsOut, 200)
async def governors_report(query_args: ReportQuery):
    return await _answer(GOVERNORS, query_args)


@blueprint.get("/api/reports/ofsted")
@key_holder
@validate_querystring(ReportQuery)
@document_response(OfstedOut, 200)
async def ofsted_report(query_args: ReportQuery):
    return await _answer(OFSTED, query_args)
