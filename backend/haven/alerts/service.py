"""A person's alerts, and marking an incident read (acknowledging its alert)."""

from __future__ import annotations

from haven import clock
from haven.accounts.models import Session
from haven.alerts.models import Alert
from haven.audit import service as audit
from haven.errors import NotFound
from haven.incidents.models import IncidentCategory


async def my_alerts(session: Session, *, unread_only: bool, limit: int = 100) -> list[dict]:
    """Newest first. Says who raised each and the categories, never the pupil: the list
    may be glanced at on a shared screen."""
    query = Alert.filter(recipient_id=session.user_id, school_id=session.school_id)
    if unread_only:
        query = query.filter(read_at=None)
    alerts = await query.order_by("-created_at", "-id").limit(limit).select_related(
        "incident", "incident__author")
    names: dict[int, list[str]] = {}
    for link in await IncidentCategory.filter(
        incident_id__in=[a.incident_id for a in alerts]
    ).select_related("category").order_by("category__position", "category__name"):
        names.setdefault(link.incident_id, []).append(link.category.name)
    return [
        {
            "id": alert.id,
            "incident_id": alert.incident.id,
            "incident_number": alert.incident.number,
            "raised_by": alert.incident.author.name,
            "categories": names.get(alert.incident_id, []),
            "reason": alert.reason,
            "created_at": alert.created_at,
            "read_at": alert.read_at,
        }
        for alert in alerts
    ]


async def mark_read(session: Session, incident_id: int, *, ip_address: str = "") -> dict:
    """Acknowledge the alert about an incident (timestamped, once; reading it again keeps
    the first time). NotFound when this person was not alerted about it."""
    alert = await Alert.get_or_none(incident_id=incident_id, recipient_id=session.user_id,
                                    school_id=session.school_id)
    if alert is None:
        raise NotFound("An alert about that incident")
    if alert.read_at is None:
        moment = clock.now()
        if await Alert.filter(id=alert.id, read_at=None).update(read_at=moment):
            alert.read_at = moment
            await audit.record("alert_read", school_id=session.school_id,
                               actor_id=session.user_id, target_type="incident",
                               target_id=incident_id, ip_address=ip_address)
        else:
            alert = await Alert.get(id=alert.id)
    return {"incident_id": incident_id, "read_at": alert.read_at}
