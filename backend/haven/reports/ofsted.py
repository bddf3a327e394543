"""The safeguarding overview for Ofsted and the school's key holders: volumes and their
trend, how quickly concerns are acted on and read by a key holder, referrals to agencies,
escalations, who has not set up the authenticator, and whether the audit trail is intact.
Not anonymised: it is for key holders (staff without an authenticator are named)."""

from __future__ import annotations

from dataclasses import dataclass

from haven.accounts.models import KEY_HOLDER_ROLES, Membership, Role
from haven.audit import service as audit
from haven.audit.models import AuditHead
from haven.incidents.models import ActionKind
from haven.incidents import search
from haven.reports import figures
from haven.reports.charts import Chart, Series
from haven.reports.figures import CURRENT, Durations, Scope, Statement
from haven.reports.lines import Line, line, lines
from haven.reports.periods import Period
from haven.schools.models import School

# More than this and the report checks only the newest rows: hashing takes about 1 s for
# 20,000 rows, and `haven audit verify` checks the whole trail.
AUDIT_ROWS_CHECKED = 20_000
# A change of more than a tenth against the previous period is a trend; less is steady.
TREND_THRESHOLD = 10.0

REFERRALS_DEFINITION = (
    "Incidents in the period with an agency recorded on the incident or on one of its "
    "actions, once per incident and agency. Haven does not record when a referral closes, "
    "so every referral counts as open unless its incident was marked entered in error.")
FIRST_ACTION_DEFINITION = (
    "From an incident's recording to the first follow-up action under it (corrections "
    "are not actions).")
KEY_HOLDER_READ_DEFINITION = (
    "From an incident's recording to the first time a DSL or SLT member alerted about it "
    "marked it read; incidents that alerted no key holder are not counted.")


@dataclass(frozen=True)
class Referral:
    agency: str
    incidents: int


@dataclass(frozen=True)
class StaffMember:
    name: str
    email: str
    roles: list[str]


@dataclass(frozen=True)
class AuditCheck:
    intact: bool
    rows_checked: int
    whole_trail: bool
    problem: str


@dataclass(frozen=True)
class OfstedReport:
    school_name: str
    period: Period
    restricted_categories_left_out: bool
    total: Line
    by_month: list[Line]
    by_category: list[Line]
    first_action: Durations
    key_holder_read: Durations
    referrals: list[Referral]
    escalated: int
    without_authenticator: list[StaffMember]
    audit_trail: AuditCheck

    @property
    def trend(self) -> str:
        """rising, falling or steady against the previous period (TREND_THRESHOLD)."""
        percent = self.total.change_percent
        if percent is None:
            return "rising" if self.total.current else "steady"
        if abs(percent) <= TREND_THRESHOLD:
            return "steady"
        return "rising" if percent > 0 else "falling"

    def charts(self) -> list[Chart]:
        return [
            Chart(key="volumes", title="Incidents by month", kind="line", unit="incidents",
                  description="Incidents recorded in each month of the period.",
                  labels=[row.name for row in self.by_month],
                  series=[Series("Incidents", [row.current for row in self.by_month])]),
            Chart(key="by_category", title="Incidents by category", kind="hbar",
                  unit="incidents",
                  description="Incidents under each category, against the previous period.",
                  labels=[row.name for row in self.by_category],
                  series=[Series("This period", [row.current for row in self.by_category]),
                          Series("Previous period",
                                 [row.previous for row in self.by_category])]),
        ]


async def ofsted_report(school: School, roles: list[Role], period: Period) -> OfstedReport:
    scope = Scope(school.id, period, tuple(await search.hidden_categories(school.id, roles)))
    return OfstedReport(
        school_name=school.name, period=period,
        restricted_categories_left_out=bool(scope.hidden_category_ids),
        total=line(await figures.total(scope), False),
        by_month=[Line(month, n) for month, n in await figures.by_month(scope)],
        by_category=lines(await figures.by_category(scope), False),
        first_action=await first_action_times(scope),
        key_holder_read=await key_holder_read_times(scope),
        referrals=await referrals(scope), escalated=await escalated(scope),
        without_authenticator=await without_authenticator(school.id),
        audit_trail=await check_audit_trail(),
    )


async def first_action_times(scope: Scope) -> Durations:
    statement = Statement()
    counted = scope.counted(statement)
    return await figures.durations(statement, counted, (
        f"SELECT {statement.seconds('MIN(a.recorded_at)', 'c.recorded_at')} AS s "
        "FROM counted c LEFT JOIN incident_action a ON a.incident_id = c.id "
        f"AND a.kind = '{ActionKind.NOTE}' WHERE c.period = '{CURRENT}' "
        "GROUP BY c.id, c.recorded_at"))


async def key_holder_read_times(scope: Scope) -> Durations:
    statement = Statement()
    counted = scope.counted(statement)
    key_roles = ", ".join(f"'{role.value}'" for role in sorted(KEY_HOLDER_ROLES))
    return await figures.durations(statement, counted, (
        f"SELECT {statement.seconds('MIN(al.read_at)', 'c.recorded_at')} AS s "
        "FROM counted c JOIN alert al ON al.incident_id = c.id "
        f"WHERE c.period = '{CURRENT}' AND al.recipient_id IN (SELECT m.user_id FROM "
        f"membership m WHERE m.school_id = {statement.bind(scope.school_id)} "
        f"AND m.role IN ({key_roles})) GROUP BY c.id, c.recorded_at"))


async def referrals(scope: Scope) -> list[Referral]:
    """REFERRALS_DEFINITION, by agency, the most first."""
    statement = Statement()
    counted = scope.counted(statement)
    if statement.postgres:
        from_actions = ("incident_action a CROSS JOIN LATERAL "
                        "jsonb_array_elements_text(a.agency_ids::jsonb) j(value)")
    else:
        from_actions = "incident_action a, json_each(a.agency_ids) j"
    sql = counted + (
        "SELECT ag.name, COUNT(*) FROM (SELECT ia.incident_id, ia.agency_id "
        "FROM incident_agency ia JOIN counted c ON c.id = ia.incident_id "
        f"WHERE c.period = '{CURRENT}' UNION SELECT a.incident_id, CAST(j.value AS INTEGER) "
        f"FROM {from_actions} JOIN counted c ON c.id = a.incident_id "
        f"WHERE c.period = '{CURRENT}') r JOIN agency ag ON ag.id = r.agency_id "
        "GROUP BY ag.name ORDER BY 2 DESC, 1")
    return [Referral(name, int(n)) for name, n in await statement.rows(sql)]


async def escalated(scope: Scope) -> int:
    """The period's incidents that nobody alerted read in time, so were escalated."""
    statement = Statement()
    sql = scope.counted(statement) + (
        "SELECT COUNT(*) FROM counted c JOIN escalation e ON e.incident_id = c.id "
        f"WHERE c.period = '{CURRENT}' AND e.escalated_at IS NOT NULL")
    return int((await statement.rows(sql))[0][0])


async def without_authenticator(school_id: int) -> list[StaffMember]:
    """Active members of the school who have not set up the authenticator, by name."""
    found: dict[int, StaffMember] = {}
    for user_id, name, email, role in await Membership.filter(
            school_id=school_id, user__is_active=True,
            user__totp_confirmed_at__isnull=True).order_by("user__name", "role").values_list(
            "user_id", "user__name", "user__email", "role"):
        found.setdefault(user_id, StaffMember(name, email, [])).roles.append(str(role))
    return list(found.values())


async def check_audit_trail() -> AuditCheck:
    """The whole trail when it is short; otherwise its newest AUDIT_ROWS_CHECKED rows and
    the sealed head (see AUDIT_ROWS_CHECKED)."""
    head = await AuditHead.all().first()
    start_after = max(0, (head.last_id if head else 0) - AUDIT_ROWS_CHECKED)
    report = await audit.verify_chain(start_after=start_after)
    return AuditCheck(intact=report.ok, rows_checked=report.rows,
                      whole_trail=start_after == 0, problem=report.problem)


def _durations_json(durations: Durations, definition: str, waiting: str) -> dict:
    return {"definition": definition, "timed": durations.timed, waiting: durations.waiting,
            "median_minutes": figures.minutes(durations.median),
            "p90_minutes": figures.minutes(durations.p90)}


def as_json(report: OfstedReport) -> dict:
    return {
        "school": report.school_name,
        "period": report.period.as_json(),
        "previous_period": report.period.previous().as_json(),
        "restricted_categories_left_out": report.restricted_categories_left_out,
        "volumes": {**report.total.as_json(), "trend": report.trend,
                    "trend_rule": f"rising or falling: a change of more than "
                                  f"{TREND_THRESHOLD:g}% against the previous period"},
        "by_month": [{"month": row.name, "count": row.current} for row in report.by_month],
        "by_category": [row.as_json() for row in report.by_category],
        "time_to_first_action": _durations_json(
            report.first_action, FIRST_ACTION_DEFINITION, "without_action"),
        "time_to_key_holder_read": _durations_json(
            report.key_holder_read, KEY_HOLDER_READ_DEFINITION, "unread"),
        "open_referrals": {"definition": REFERRALS_DEFINITION,
                           "total": sum(r.incidents for r in report.referrals),
                           "by_agency": [{"agency": r.agency, "incidents": r.incidents}
                                         for r in report.referrals]},
        "escalated": report.escalated,
        "staff_without_authenticator": [
            {"name": s.name, "email": s.email, "roles": s.roles}
            for s in report.without_authenticator],
        "audit_trail": {"intact": report.audit_trail.intact,
                        "rows_checked": report.audit_trail.rows_checked,
                        "whole_trail": report.audit_trail.whole_trail,
                        "problem": report.audit_trail.problem},
    }


def csv_rows(report: OfstedReport) -> list[list]:
    period, body = report.period, as_json(report)
    rows = [["Safeguarding overview", report.school_name],
            ["Period", period.in_words()], [],
            ["Section", "Item", "This period", "Previous period", "Change", "Change %"],
            ["Volumes", "Incidents", report.total.current, report.total.previous,
             report.total.change, report.total.change_percent],
            ["Volumes", "Trend", report.trend]]
    rows += [["Month", row.name, row.current] for row in report.by_month]
    rows += [["Category", row.name, row.current, row.previous, row.change,
              row.change_percent] for row in report.by_category]
    for key, title in (("time_to_first_action", "First action"),
                       ("time_to_key_holder_read", "Read by a key holder")):
        rows += [[title, name, value] for name, value in body[key].items()]
    rows += [["Referrals", r.agency, r.incidents] for r in report.referrals]
    rows += [["Referrals", "Definition", REFERRALS_DEFINITION],
             ["Escalated", "Incidents", report.escalated]]
    rows += [["No authenticator", s.name, s.email, ", ".join(s.roles)]
             for s in report.without_authenticator]
    return rows + [["Audit trail", name, value] for name, value in body["audit_trail"].items()]
