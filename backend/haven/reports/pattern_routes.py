"""GET /api/reports/patterns: the patterns of reports/patterns.py, for the key holders'
home screen and as a report (elevated key holders; audited)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from pydantic import BaseModel
from quart import Blueprint
from quart_schema import validate_response

from haven import clock
from haven.accounts import service as accounts
from haven.audit import service as audit
from haven.reports.patterns import PAST_PERIODS, RECENT_DAYS, find_patterns
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


def _pupil(pattern) -> dict:
    return {**asdict(pattern), "link": f"/#/pupils/{pattern.pupil_id}"}


@blueprint.get("/api/reports/patterns")
@key_holder
@validate_response(PatternsOut, 200)
async def patterns():
    session = current_session()
    roles = await accounts.roles_in(session.user_id, session.school_id)
    found = await find_patterns(session.school, roles, clock.now())
    await audit.record("report_patterns", school_id=session.school_id,
                       actor_id=session.user_id, ip_address=client_ip())
    return {
        "as_of": found.as_of,
        "thresholds": {**asdict(found.thresholds), "recent_days": RECENT_DAYS,
                       "past_periods": PAST_PERIODS},
        "clusters": [_pupil(p) for p in found.clusters],
        "rising_pupils": [_pupil(p) for p in found.rising_pupils],
        "rising_categories": [asdict(c) for c in found.rising_categories],
    }, 200
