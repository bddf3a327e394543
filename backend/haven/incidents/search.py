"""Lists of incidents: the key holders' search, and each person's own recent records.

A list shows who, when, which categories and who wrote it, never the account: opening one
is a read of the incident, checked and audited as such (service.read_incident).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.expressions import Q, Subquery

from haven.accounts.models import KEY_HOLDER_ROLES, Role, Session
from haven.alerts.models import Alert
from haven.audit import service as audit
from haven.incidents.models import (
    Action,
    ActionKind,
    Category,
    Incident,
    IncidentCategory,
    IncidentPupil,
)
from haven.incidents.service import roles_may_see
from haven.pupils.service import summary as pupil_summary


@dataclass(frozen=True)
class Filters:
    pupil_id: int | None = None
    category_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    text: str = ""


async def hidden_categories(school_id: int, roles: list[Role]) -> list[int]:
    """Categories restricted to roles other than the person's key-holder roles: an incident
    in any of them is hidden, which is service.roles_may_see's rule."""
    key_roles = {r.value for r in roles if r in KEY_HOLDER_ROLES}
    categories = await Category.filter(school_id=school_id)
    return [c.id for c in categories if not roles_may_see([c], key_roles)]


async def _page(query, page: int, per_page: int, order: tuple[str, ...]) -> dict:
    total = await query.count()
    found = await query.order_by(*order).offset((page - 1) * per_page).limit(
        per_page).select_related("pupil", "author")
    ids = [i.id for i in found]
    names: dict[int, list[str]] = {}
    for incident_id, name in await IncidentCategory.filter(incident_id__in=ids).order_by(
            "category__position", "category__name").values_list("incident_id", "category__name"):
        names.setdefault(incident_id, []).append(name)
    in_error = set(await Action.filter(incident_id__in=ids, kind=ActionKind.ENTERED_IN_ERROR
                                       ).values_list("incident_id", flat=True))
    return {
        "total": total, "page": page, "per_page": per_page,
        "incidents": [
            {"id": i.id, "number": i.number, "pupil": pupil_summary(i.pupil),
             "categories": names.get(i.id, []), "occurred_at": i.occurred_at,
             "recorded_at": i.recorded_at, "author": {"id": i.author.id, "name": i.author.name},
             "entered_in_error": i.id in in_error}
            for i in found
        ],
    }


async def search(session: Session, roles: list[Role], filters: Filters, *, page: int = 1,
                 per_page: int = 50, ip_address: str = "") -> dict:
    """Incidents of the school an elevated key holder may read (the caller checks that
    they are one), newest first: about a pupil (as the subject or linked), in a category
    (or one of its subcategories), between two moments, with words in the account. The
    search is audited with its filters."""
    query = Incident.filter(school_id=session.school_id)
    hidden = await hidden_categories(session.school_id, roles)
    if hidden:
        # As service.may_read: what the person wrote or was alerted about, whatever its
        # categories, and anything in none of the categories their roles may not see.
        query = query.filter(
            Q(id__not_in=Subquery(IncidentCategory.filter(
                school_id=session.school_id, category_id__in=hidden).values("incident_id")))
            | Q(author_id=session.user_id)
            | Q(id__in=Subquery(Alert.filter(recipient_id=session.user_id).values(
                "incident_id"))))
    if filters.pupil_id is not None:
        query = query.filter(Q(pupil_id=filters.pupil_id) | Q(id__in=Subquery(
            IncidentPupil.filter(pupil_id=filters.pupil_id).values("incident_id"))))
    if filters.category_id is not None:
        within = Category.filter(school_id=session.school_id).filter(
            Q(id=filters.category_id) | Q(parent_id=filters.category_id))
        query = query.filter(id__in=Subquery(IncidentCategory.filter(
            category_id__in=Subquery(within.values("id"))).values("incident_id")))
    # In UTC, as stored (see service.chronology's rows: SQLite compares the text).
    if filters.since:
        query = query.filter(occurred_at__gte=filters.since.astimezone(UTC))
    if filters.until:
        query = query.filter(occurred_at__lte=filters.until.astimezone(UTC))
    for word in filters.text.split()[:5]:
        query = query.filter(account__icontains=word)
    await audit.record("incidents_searched", school_id=session.school_id,
                       actor_id=session.user_id, target_type="school",
                       target_id=session.school_id, ip_address=ip_address, detail={
                           "pupil": filters.pupil_id, "category": filters.category_id,
                           "from": filters.since.isoformat() if filters.since else None,
                           "to": filters.until.isoformat() if filters.until else None,
                           "words": len(filters.text.split())})
    return await _page(query, page, per_page, ("-occurred_at", "-id"))


async def recorded_by(session: Session, *, page: int = 1, per_page: int = 20) -> dict:
    """The incidents this person recorded at this school, the latest first."""
    query = Incident.filter(school_id=session.school_id, author_id=session.user_id)
    return await _page(query, page, per_page, ("-recorded_at", "-id"))
