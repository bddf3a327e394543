"""Patterns that a list of incidents hides, for the key holders' home screen and as a
report: pupils with several concerns in a few days, pupils whose concerns rise sharply
against their own past, and categories rising across the school.

The windows are whole days back from `as_of`:
- a cluster: at least `pattern_concerns` incidents naming the pupil (as the subject or
  linked) in the last `pattern_days` days (school settings, 3 in 7 by default);
- a rise: the last RECENT_DAYS days hold at least `pattern_concerns` incidents and at
  least `pattern_rise_factor` times the pupil's (or category's) usual count for as many
  days, the usual count being the average over the PAST_PERIODS periods of RECENT_DAYS
  days before them. Someone with no past at all rises with their first few concerns;
  that is what a DSL would want to see.
Incidents in categories the reader's roles may not see are left out (search's rule), and
so are those marked as entered in error, as in every report.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.expressions import Subquery

from haven.accounts.models import Role
from haven.incidents.models import (
    Action, ActionKind, Category, Incident, IncidentCategory, IncidentPupil)
from haven.incidents.search import hidden_categories
from haven.pupils.models import Pupil
from haven.reports.charts import Chart, Series
from haven.schools.models import School

RECENT_DAYS = 28
PAST_PERIODS = 6


@dataclass(frozen=True)
class Thresholds:
    concerns: int  # this many or more incidents...
    days: int  # ...within this many days is a cluster
    rise_factor: int  # the recent count against the usual count that is a rise (whole: the
    # audit trail, which records a change of setting, holds no fractions)

    @classmethod
    def of(cls, school: School) -> Thresholds:
        return cls(concerns=school.setting("pattern_concerns"),
                   days=school.setting("pattern_days"),
                   rise_factor=school.setting("pattern_rise_factor"))


@dataclass(frozen=True)
class PupilPattern:
    pupil_id: int
    name: str
    year_group: str
    form: str
    count: int  # in the cluster's days, or in the recent period for a rise
    usual: float  # the average per period before (rises), 0 for clusters


@dataclass(frozen=True)
class CategoryRise:
    category_id: int
    name: str
    count: int
    usual: float


@dataclass(frozen=True)
class Patterns:
    as_of: datetime
    thresholds: Thresholds
    clusters: list[PupilPattern]
    rising_pupils: list[PupilPattern]
    rising_categories: list[CategoryRise]

    def charts(self) -> list[Chart]:
        """The rising categories against their usual count; the pupils are lists to act
        on, each a link, not figures to compare."""
        rising = self.rising_categories
        return [Chart(
            key="rising_categories", title="Categories rising across the school",
            kind="hbar", unit="incidents",
            description=f"Incidents in each rising category in the last {RECENT_DAYS} days, "
                        f"against its usual count for {RECENT_DAYS} days (the average of the "
                        f"{PAST_PERIODS} periods before).",
            labels=[c.name for c in rising],
            series=[Series(f"Last {RECENT_DAYS} days", [c.count for c in rising]),
                    Series("Usually", [c.usual for c in rising])])]


@dataclass(frozen=True)
class _Seen:
    """One visible incident of the look-back: when, and the pupils it names."""

    occurred_at: datetime
    pupil_ids: frozenset[int]
    category_ids: frozenset[int]


async def _seen(school: School, roles: list[Role], since: datetime,
                until: datetime) -> list[_Seen]:
    incidents = dict(await Incident.filter(
        school_id=school.id, occurred_at__gte=since, occurred_at__lte=until,
    ).exclude(id__in=Subquery(Action.filter(
        school_id=school.id, kind=ActionKind.ENTERED_IN_ERROR).values("incident_id"))
    ).values_list("id", "occurred_at"))
    ids = list(incidents)
    pupils: dict[int, set[int]] = {i: set() for i in ids}
    for incident_id, pupil_id in await Incident.filter(id__in=ids).values_list("id", "pupil_id"):
        pupils[incident_id].add(pupil_id)
    for incident_id, pupil_id in await IncidentPupil.filter(incident_id__in=ids).values_list(
            "incident_id", "pupil_id"):
        pupils[incident_id].add(pupil_id)
    categories: dict[int, set[int]] = {i: set() for i in ids}
    for incident_id, category_id in await IncidentCategory.filter(
            incident_id__in=ids).values_list("incident_id", "category_id"):
        categories[incident_id].add(category_id)
    hidden = set(await hidden_categories(school.id, roles))
    return [_Seen(incidents[i], frozenset(pupils[i]), frozenset(categories[i]))
            for i in ids if not categories[i] & hidden]


def by_pupil(incident: _Seen) -> frozenset[int]:
    return incident.pupil_ids


def by_category(incident: _Seen) -> frozenset[int]:
    return incident.category_ids


def _count(seen: list[_Seen], since: datetime, key) -> Counter:
    """How many incidents since then name each pupil (key=by_pupil) or category."""
    counts: Counter = Counter()
    for incident in seen:
        if incident.occurred_at >= since:
            counts.update(key(incident))
    return counts


def _rises(recent: Counter, past: Counter, thresholds: Thresholds) -> list[tuple[int, int, float]]:
    """(id, recent count, usual count) of those rising, steepest first."""
    found = []
    for key, count in recent.items():
        usual = past[key] / PAST_PERIODS
        if count >= thresholds.concerns and count >= thresholds.rise_factor * usual:
            found.append((key, count, usual))
    return sorted(found, key=lambda rise: (-(rise[1] - rise[2]), rise[0]))


async def _pupils(school: School, found: list[tuple[int, int, float]]) -> list[PupilPattern]:
    pupils = {p.id: p for p in await Pupil.filter(school_id=school.id,
                                                    id__in=[f[0] for f in found])}
    return [PupilPattern(pupil_id=key, name=pupils[key].display_name,
                         year_group=pupils[key].year_group, form=pupils[key].form,
                         count=count, usual=round(usual, 1))
            for key, count, usual in found if key in pupils]


async def find_patterns(school: School, roles: list[Role], as_of: datetime) -> Patterns:
    thresholds = Thresholds.of(school)
    recent_from = as_of - timedelta(days=RECENT_DAYS)
    past_from = recent_from - timedelta(days=RECENT_DAYS * PAST_PERIODS)
    cluster_from = as_of - timedelta(days=thresholds.days)
    seen = await _seen(school, roles, min(past_from, cluster_from), as_of)
    in_recent = [s for s in seen if s.occurred_at >= recent_from]
    in_past = [s for s in seen if s.occurred_at < recent_from and s.occurred_at >= past_from]

    clustered = _count(seen, cluster_from, by_pupil)
    clusters = sorted(((key, count, 0.0) for key, count in clustered.items()
                       if count >= thresholds.concerns), key=lambda c: (-c[1], c[0]))
    pupil_rises = _rises(_count(in_recent, recent_from, by_pupil),
                         _count(in_past, past_from, by_pupil), thresholds)
    category_rises = _rises(_count(in_recent, recent_from, by_category),
                            _count(in_past, past_from, by_category), thresholds)
    names = dict(await Category.filter(
        school_id=school.id, id__in=[c[0] for c in category_rises]).values_list("id", "name"))
    return Patterns(
        as_of=as_of,
        thresholds=thresholds,
        clusters=await _pupils(school, clusters),
        rising_pupils=await _pupils(school, pupil_rises),
        rising_categories=[CategoryRise(category_id=key, name=names.get(key, ""), count=count,
                                        usual=round(usual, 1))
                           for key, count, usual in category_rises],
    )
