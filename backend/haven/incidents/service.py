"""Recording a concern, and who may read it.

Everything one submission writes (the incident, its links, the alerts, the alert emails
and the audit entry) commits in one transaction or not at all.

Who is alerted: the staff the author chose, the category's automatic group (a role and/or
named people) and the senior leadership team when the school's always_alert_slt is on;
never the author. A category restricted to some roles (e.g. child protection: DSL only)
keeps its incidents from the automatic SLT alert of anyone outside those roles; staff the
author chose by name are alerted whatever the category, because the author decided.

Who may read an incident: its author, everyone alerted about it, and key holders (DSL,
SLT) with an elevated session whose role every one of its categories allows. Anyone else
is told it does not exist (404), so ids reveal nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from tortoise.expressions import Q, Subquery
from tortoise.transactions import in_transaction

from haven import clock
from haven.accounts.models import KEY_HOLDER_ROLES, Membership, Role, Session, User
from haven.alerts.models import Alert, Escalation
from haven.audit import service as audit
from haven.db import dialect
from haven.errors import APIError, ElevationRequired, NotFound
from haven.incidents import files, idempotency
from haven.push import service as push
from haven.incidents.models import (
    Action,
    ActionKind,
    Agency,
    Attachment,
    BodyMapMarker,
    Category,
    Incident,
    IncidentAgency,
    IncidentCategory,
    IncidentPupil,
    LinkRole,
)
from haven.outbox import service as outbox
from haven.pupils.models import Pupil
from haven.pupils.service import summary as pupil_summary
from haven.schools.models import School

MAX_ACCOUNT = 20_000
# Devices' clocks drift: a time this little ahead of the server's is taken as "now".
CLOCK_SKEW = timedelta(minutes=2)


@dataclass
class NewIncident:
    pupil_id: int
    category_ids: list[int]
    account: str
    occurred_at: datetime | None = None
    linked_pupils: list[tuple[int, str]] = field(default_factory=list)
    agency_ids: list[int] = field(default_factory=list)
    body_map: list[dict] = field(default_factory=list)
    alert_user_ids: list[int] = field(default_factory=list)


def _invalid(code: str, message: str) -> APIError:
    return APIError(400, code, message)


async def _on_roll(school: School, pupil_ids: list[int]) -> dict[int, Pupil]:
    today = clock.now().date()
    found = await Pupil.filter(school=school, id__in=pupil_ids).filter(
        Q(left_on=None) | Q(left_on__gt=today))
    return {p.id: p for p in found}


async def _check(school: School, new: NewIncident) -> tuple[dict, list[Category], list[Agency]]:
    account = new.account.strip()
    if not account:
        raise _invalid("ACCOUNT_REQUIRED", "Write what happened: the account is empty.")
    if len(new.account) > MAX_ACCOUNT:
        raise _invalid("ACCOUNT_TOO_LONG", f"The account is longer than {MAX_ACCOUNT} "
                       "characters.")
    if new.occurred_at and new.occurred_at > clock.now() + CLOCK_SKEW:
        raise _invalid("OCCURRED_IN_FUTURE", "When it happened cannot be in the future.")
    linked_ids = [pupil_id for pupil_id, _ in new.linked_pupils]
    if new.pupil_id in linked_ids or len(set(linked_ids)) != len(linked_ids):
        raise _invalid("DUPLICATE_PUPIL", "Each pupil can be named once in an incident.")
    for _, role in new.linked_pupils:
        if role not in LinkRole.ALL:
            raise _invalid("INVALID_ROLE", f"'{role}' is not a role in an incident: use one "
                           f"of {', '.join(LinkRole.ALL)}.")
    pupils = await _on_roll(school, [new.pupil_id, *linked_ids])
    if len(pupils) != len({new.pupil_id, *linked_ids}):
        raise _invalid("UNKNOWN_PUPIL", "A pupil named is not on this school's roll.")
    if not new.category_ids:
        raise _invalid("CATEGORY_REQUIRED", "Choose at least one category.")
    categories = await Category.filter(school=school, id__in=new.category_ids, active=True)
    if len(categories) != len(set(new.category_ids)):
        raise _invalid("UNKNOWN_CATEGORY", "A category chosen does not exist here.")
    agencies = await Agency.filter(school=school, id__in=new.agency_ids, active=True)
    if len(agencies) != len(set(new.agency_ids)):
        raise _invalid("UNKNOWN_AGENCY", "An agency chosen does not exist here.")
    for marker in new.body_map:
        if marker.get("view") not in ("front", "back") or not (
            0 <= marker.get("x", -1) <= 1 and 0 <= marker.get("y", -1) <= 1
        ):
            raise _invalid("INVALID_BODY_MAP", "A body map mark needs view front or back, "
                           "and x and y between 0 and 1.")
    return pupils, categories, agencies


async def _members(school: School, *, roles: set[str] | None = None,
                   user_ids: set[int] | None = None) -> set[int]:
    query = Membership.filter(school=school, user__is_active=True)
    if roles is not None:
        query = query.filter(role__in=list(roles))
    if user_ids is not None:
        query = query.filter(user_id__in=list(user_ids))
    return set(await query.values_list("user_id", flat=True))


def roles_may_see(categories: list[Category], key_roles: set[str]) -> bool:
    """Whether someone holding these key-holder roles may see an incident in these
    categories: each restricted category must allow one of them. The one rule for reading,
    the chronology, the search (search.py) and the SLT's automatic alert."""
    return all(not c.visible_to_roles or key_roles & set(c.visible_to_roles)
               for c in categories)


async def recipients(school: School, author_id: int, chosen: list[int],
                     categories: list[Category]) -> dict[int, str]:
    """Who to alert, and why. Raises APIError 400 UNKNOWN_STAFF for chosen people who do
    not work here."""
    chosen_here = await _members(school, user_ids=set(chosen))
    if set(chosen) - chosen_here:
        raise _invalid("UNKNOWN_STAFF", "Some of the staff chosen to alert do not work here.")
    why: dict[int, str] = {}
    if school.setting("always_alert_slt"):
        slt = await _members(school, roles={Role.SLT.value})
        held: dict[int, set[str]] = {}
        for user_id, role in await Membership.filter(
                school=school, user_id__in=list(slt)).values_list("user_id", "role"):
            if Role(role) in KEY_HOLDER_ROLES:
                held.setdefault(user_id, set()).add(Role(role).value)
        why.update(dict.fromkeys(
            (u for u in slt if roles_may_see(categories, held.get(u, set()))), "slt"))
    for category in categories:
        automatic = set(category.alert_user_ids or [])
        group = await _members(school, user_ids=automatic) if automatic else set()
        if category.alert_role:
            group |= await _members(school, roles={category.alert_role})
        why.update(dict.fromkeys(group, "category"))
    why.update(dict.fromkeys(chosen_here, "chosen"))
    why.pop(author_id, None)
    return why


async def _next_number(school: School, connection) -> int:
    if dialect() == "postgres":
        # One school's numbers are handed out one at a time, whichever process asks.
        await connection.execute_query("SELECT pg_advisory_xact_lock(2, $1)", [school.id])
    latest = await Incident.filter(school=school).order_by("-number").first().values_list(
        "number", flat=True)
    return (latest or 0) + 1


async def record_incident(school: School, author: User, new: NewIncident, *,
                          public_url: str, store: files.Store,
                          uploads: list[files.Upload] = (), ip_address: str = "",
                          idempotency_key: str | None = None,
                          request: dict | None = None) -> tuple[int, bool]:
    """Record a concern once, with its files: returns (incident id, whether it had been
    recorded before with this Idempotency-Key). Raises APIError 400 (or 413 for a file too
    large) naming what is wrong with it, or 409/422 for a key in flight or reused (see
    idempotency.py)."""
    request = {**(request or {}), "files": files.digest(list(uploads))}
    outcome = await idempotency.claim(school.id, author.id, idempotency_key, "incident",
                                      request)
    if isinstance(outcome, idempotency.Replay):
        return outcome.resource_id, True
    try:
        incident = await _record(school, author, new, outcome, public_url=public_url,
                                 ip_address=ip_address, store=store, uploads=list(uploads))
    except BaseException:
        await outcome.release()
        raise
    return incident.id, False


async def _record(school: School, author: User, new: NewIncident, claim: idempotency.Claim,
                  *, public_url: str, ip_address: str, store: files.Store,
                  uploads: list[files.Upload]) -> Incident:
    pupils, categories, agencies = await _check(school, new)
    alert_to = await recipients(school, author.id, new.alert_user_ids, categories)
    checked = await files.check(uploads, store.limits)
    async with store.kept(checked, files.unrecorded) as stored:
        return await _write_incident(school, author, new, claim, pupils=pupils,
                                     categories=categories, agencies=agencies,
                                     alert_to=alert_to, checked=checked, stored=stored,
                                     public_url=public_url, ip_address=ip_address)


async def _write_incident(school: School, author: User, new: NewIncident,
                          claim: idempotency.Claim, *, pupils: dict, categories: list,
                          agencies: list, alert_to: dict[int, str],
                          checked: list[files.CheckedFile], stored: list[str],
                          public_url: str, ip_address: str) -> Incident:
    moment = clock.now()
    category_names = ", ".join(c.name for c in categories)
    async with in_transaction() as connection:
        incident = await Incident.create(
            school=school, number=await _next_number(school, connection),
            pupil=pupils[new.pupil_id], author=author, account=new.account,
            occurred_at=min(new.occurred_at or moment, moment), recorded_at=moment,
        )
        # One statement per table, whatever the number of rows.
        await IncidentPupil.bulk_create([
            IncidentPupil(school=school, incident=incident, pupil=pupils[pupil_id], role=role)
            for pupil_id, role in new.linked_pupils])
        await IncidentCategory.bulk_create([
            IncidentCategory(school=school, incident=incident, category=category)
            for category in categories])
        await IncidentAgency.bulk_create([
            IncidentAgency(school=school, incident=incident, agency=agency)
            for agency in agencies])
        await BodyMapMarker.bulk_create([
            BodyMapMarker(school=school, incident=incident, view=marker["view"], x=marker["x"],
                          y=marker["y"], note=str(marker.get("note", ""))[:500])
            for marker in new.body_map])
        await files.record(checked, stored, incident=incident, uploaded_by_id=author.id)
        await Alert.bulk_create([
            Alert(school=school, incident=incident, recipient_id=user_id, reason=reason,
                  created_at=moment)
            for user_id, reason in alert_to.items()])
        # Says who raised it and the category, never the pupil or the account.
        await outbox.enqueue_emails(
            await User.filter(id__in=list(alert_to)).values_list("email", flat=True),
            f"Haven: new concern ({category_names})",
            f"{author.name} recorded a concern in {category_names} at {school.name}.\n\n"
            f"Open Haven to read it: {public_url}/#/incidents/{incident.id}\n",
            school_id=school.id,
        )
        await push.enqueue(school, alert_to, push.Push(
            kind="incident", body=f"{author.name} recorded a concern: {category_names}",
            url=push.incident_url(incident.id), topic=f"incident-{incident.id}",
            urgent=any(c.urgent for c in categories)))
        escalating = [c.escalate_after_minutes for c in categories if c.escalate_after_minutes]
        if escalating:
            await Escalation.create(school=school, incident=incident,
                                    due_at=moment + timedelta(minutes=min(escalating)))
        await audit.record("incident_recorded", school_id=school.id, actor_id=author.id,
                           target_type="incident", target_id=incident.id,
                           detail={"number": incident.number, "alerted": len(alert_to),
                                   "files": len(checked)},
                           ip_address=ip_address)
        await claim.complete(incident.id)
    outbox.notify()
    return incident


async def may_read(session: Session, incident: Incident, roles: list[Role]) -> bool:
    if incident.author_id == session.user_id:
        return True
    if await Alert.exists(incident_id=incident.id, recipient_id=session.user_id):
        return True
    key_roles = {r.value for r in roles if r in KEY_HOLDER_ROLES}
    if not (key_roles and session.is_elevated):
        return False
    categories = await Category.filter(incident_links__incident_id=incident.id)
    return roles_may_see(categories, key_roles)


async def read_incident(session: Session, incident_id: int, roles: list[Role], *,
                        ip_address: str = "", audit_view: bool = True) -> dict:
    """The incident for someone allowed to read it (the read is audited); NotFound for
    anyone else and for other schools' incidents alike."""
    incident = await Incident.get_or_none(id=incident_id, school_id=session.school_id
                                          ).select_related("pupil", "author")
    if incident is None or not await may_read(session, incident, roles):
        raise NotFound("That incident")
    links = await IncidentPupil.filter(incident=incident).select_related("pupil")
    categories = await Category.filter(incident_links__incident_id=incident.id)
    agencies = await Agency.filter(incident_links__incident_id=incident.id)
    markers = await BodyMapMarker.filter(incident=incident).order_by("id")
    actions = await Action.filter(incident=incident).select_related("author").order_by(
        "recorded_at", "id")
    sees_alerts = incident.author_id == session.user_id or any(
        r in KEY_HOLDER_ROLES for r in roles)
    alerts = await Alert.filter(incident=incident).select_related("recipient").order_by("id")
    attachments = await Attachment.filter(incident=incident).order_by("id")
    if audit_view:  # not the author's own copy in the answer to recording it
        await audit.record("incident_viewed", school_id=session.school_id,
                           actor_id=session.user_id, target_type="incident",
                           target_id=incident.id, ip_address=ip_address)
    return {
        "id": incident.id,
        "number": incident.number,
        "pupil": pupil_summary(incident.pupil),
        "linked_pupils": [{"pupil": pupil_summary(link.pupil), "role": link.role} for link in links],
        "categories": [{"id": c.id, "name": c.name} for c in categories],
        "agencies": [{"id": a.id, "name": a.name} for a in agencies],
        "account": incident.account,
        "occurred_at": incident.occurred_at,
        "recorded_at": incident.recorded_at,
        "author": {"id": incident.author.id, "name": incident.author.name},
        "body_map": [{"view": m.view, "x": m.x, "y": m.y, "note": m.note} for m in markers],
        "actions": [await _action_json(a, a.author, [f for f in attachments
                                                       if f.action_id == a.id])
                    for a in actions],
        "files": [files.describe(f) for f in attachments],
        "entered_in_error": any(a.kind == ActionKind.ENTERED_IN_ERROR for a in actions),
        "alerts": [
            {"user": {"id": a.recipient.id, "name": a.recipient.name}, "reason": a.reason,
             "read_at": a.read_at}
            for a in alerts
        ] if sees_alerts else [],
        "escalated_at": await Escalation.filter(incident=incident).first().values_list(
            "escalated_at", flat=True),
    }


async def attachment_for(session: Session, attachment_id: int, roles: list[Role], *,
                         ip_address: str = "") -> Attachment:
    """A file of an incident the person may read; the download is audited. NotFound for
    anyone else and for other schools' files alike."""
    attachment = await Attachment.get_or_none(
        id=attachment_id, school_id=session.school_id).select_related("incident")
    if attachment is None or not await may_read(session, attachment.incident, roles):
        raise NotFound("That file")
    await audit.record("file_downloaded", school_id=session.school_id,
                       actor_id=session.user_id, target_type="attachment",
                       target_id=attachment.id,
                       detail={"incident": attachment.incident_id}, ip_address=ip_address)
    return attachment


async def add_action(session: Session, incident_id: int, roles: list[Role], *, text: str,
                     kind: str = ActionKind.NOTE, alert_user_ids: list[int] | None = None,
                     agency_ids: list[int] | None = None, public_url: str,
                     store: files.Store, uploads: list[files.Upload] = (),
                     ip_address: str = "", idempotency_key: str | None = None,
                     request: dict | None = None) -> tuple[dict, bool]:
    """add_action once per Idempotency-Key: (the action, whether it was a replay)."""
    request = {"incident": incident_id, **(request or {}),
               "files": files.digest(list(uploads))}
    outcome = await idempotency.claim(session.school_id, session.user_id, idempotency_key,
                                      "action", request)
    if isinstance(outcome, idempotency.Replay):
        return await _action_json(await Action.get(id=outcome.resource_id)), True
    try:
        action = await _add_action(session, incident_id, roles, text=text, kind=kind,
                                   alert_user_ids=alert_user_ids, agency_ids=agency_ids,
                                   public_url=public_url, ip_address=ip_address,
                                   claim=outcome, store=store, uploads=list(uploads))
    except BaseException:
        await outcome.release()
        raise
    return action, False


async def _add_action(session: Session, incident_id: int, roles: list[Role], *, text: str,
                      kind: str, alert_user_ids: list[int] | None,
                      agency_ids: list[int] | None, public_url: str, ip_address: str,
                      claim: idempotency.Claim, store: files.Store,
                      uploads: list[files.Upload]) -> dict:
    """Append a follow-up to an incident the person may read (NotFound otherwise).
    Amendments and "entered in error" need an elevated key holder. The staff chosen are
    alerted (again, as unread, if they were already). Raises APIError 400 for an empty
    text, an unknown kind, agency or member of staff, and for files as record_incident."""
    incident = await Incident.get_or_none(id=incident_id, school_id=session.school_id)
    if incident is None or not await may_read(session, incident, roles):
        raise NotFound("That incident")
    if kind not in ActionKind.ALL:
        raise _invalid("INVALID_KIND", f"'{kind}' is not a kind of action.")
    if kind in ActionKind.KEY_HOLDERS_ONLY:
        if not any(r in KEY_HOLDER_ROLES for r in roles):
            raise APIError(403, "KEY_HOLDER_REQUIRED", "Only a key holder can amend a "
                           "record or mark it entered in error.")
        if not session.is_elevated:
            raise ElevationRequired()
    if not text.strip():
        raise _invalid("TEXT_REQUIRED", "Write what was done: the text is empty.")
    school = await School.get(id=session.school_id)
    agencies = await Agency.filter(school=school, id__in=agency_ids or [], active=True)
    if len(agencies) != len(set(agency_ids or [])):
        raise _invalid("UNKNOWN_AGENCY", "An agency chosen does not exist here.")
    chosen = set(alert_user_ids or [])
    here = await _members(school, user_ids=chosen)
    if chosen - here:
        raise _invalid("UNKNOWN_STAFF", "Some of the staff chosen to alert do not work here.")
    here.discard(session.user_id)
    checked = await files.check(uploads, store.limits)
    async with store.kept(checked, files.unrecorded) as stored:
        return await _write_action(session, school, incident, kind=kind, text=text,
                                   agencies=agencies, alert_to=here, checked=checked,
                                   stored=stored, public_url=public_url,
                                   ip_address=ip_address, claim=claim)


async def _write_action(session: Session, school: School, incident: Incident, *, kind: str,
                        text: str, agencies: list[Agency], alert_to: set[int],
                        checked: list[files.CheckedFile], stored: list[str],
                        public_url: str, ip_address: str, claim: idempotency.Claim) -> dict:
    moment = clock.now()
    author = await User.get(id=session.user_id)
    async with in_transaction():
        action = await Action.create(school=school, incident=incident, author=author,
                                     kind=kind, text=text, agency_ids=sorted(a.id for a in agencies),
                                     recorded_at=moment)
        attachments = await files.record(checked, stored, incident=incident,
                                         uploaded_by_id=author.id, action=action)
        people = {u.id: u for u in await User.filter(id__in=list(alert_to))}
        categories = await Category.filter(incident_links__incident=incident).order_by(
            "position", "name")
        urgent = any(c.urgent for c in categories)
        await push.enqueue(school, alert_to, push.Push(
            kind="action", body=f"{author.name} added an action to a concern: "
                                f"{', '.join(c.name for c in categories)}",
            url=push.incident_url(incident.id), topic=f"incident-{incident.id}",
            urgent=urgent))
        for user_id in alert_to:
            if not await Alert.filter(incident=incident, recipient_id=user_id).update(
                    read_at=None):
                await Alert.create(school=school, incident=incident, recipient_id=user_id,
                                   reason="chosen", created_at=moment)
            await outbox.enqueue_email(
                people[user_id].email,
                "Haven: new action on a concern",
                f"{author.name} added an action to incident {incident.number} at "
                f"{school.name}.\n\nOpen Haven to read it: {public_url}/#/incidents/"
                f"{incident.id}\n",
                school_id=school.id,
            )
        await audit.record("action_added", school_id=school.id, actor_id=author.id,
                           target_type="incident", target_id=incident.id,
                           detail={"action": action.id, "kind": kind,
                                   "files": len(checked)}, ip_address=ip_address)
        await claim.complete(action.id)
    outbox.notify()
    return await _action_json(action, author, attachments)


async def _action_json(action: Action, author: User | None = None,
                       attachments: list[Attachment] | None = None) -> dict:
    author = author or await User.get(id=action.author_id)
    if attachments is None:
        attachments = await Attachment.filter(action=action).order_by("id")
    return {"id": action.id, "kind": action.kind, "text": action.text,
            "agency_ids": action.agency_ids, "recorded_at": action.recorded_at,
            "author": {"id": author.id, "name": author.name},
            "files": [files.describe(a) for a in attachments]}


async def chronology(session: Session, pupil_id: int, roles: list[Role], *,
                     category_id: int | None = None, since: datetime | None = None,
                     until: datetime | None = None, page: int = 1, per_page: int = 100,
                     ip_address: str = "") -> dict:
    """Every incident naming the pupil (as the subject or linked, with the role) and every
    action under them, in the order they happened; for elevated key holders, leaving out
    categories their role may not see. The read is audited. NotFound for a pupil of
    another school."""
    pupil = await _pupil_here(session, pupil_id)
    incidents, actions = await _chronology_rows(
        session, pupil, roles, category_ids=[] if category_id is None else [category_id],
        since=since, until=until)
    entries = [
        {"type": "incident", "at": i["at"], "incident_id": i["id"], "number": i["number"],
         "role": i["role"], "categories": i["categories"], "text": i["account"],
         "author": i["author"]} if i["type"] == "incident" else
        {"type": "action", "at": i["at"], "incident_id": i["incident_id"],
         "number": i["number"], "role": None, "categories": [], "text": i["text"],
         "author": i["author"], "kind": i["kind"]}
        for i in in_time_order(incidents, actions)
    ]
    start = (page - 1) * per_page
    await audit.record("chronology_viewed", school_id=session.school_id,
                       actor_id=session.user_id, target_type="pupil", target_id=pupil.id,
                       ip_address=ip_address)
    return {"pupil": pupil_summary(pupil), "total": len(entries), "page": page,
            "per_page": per_page, "entries": entries[start:start + per_page]}


@dataclass
class FullChronology:
    """A pupil's chronology with everything recorded in it, for the case conference PDF:
    the pupil, the incidents (with their agencies, body map and file names) and the
    actions under them (with theirs), each a plain dict."""

    pupil: Pupil
    incidents: list[dict]
    actions: list[dict]


async def chronology_in_full(session: Session, pupil_id: int, roles: list[Role], *,
                             category_ids: list[int] = (), since: datetime | None = None,
                             until: datetime | None = None) -> FullChronology:
    """As chronology() (the same entries, for the same readers), with every detail of each
    entry, in a query per table whatever their number. Not audited: the caller records
    what it made of it. NotFound for a pupil of another school."""
    pupil = await _pupil_here(session, pupil_id)
    incidents, actions = await _chronology_rows(session, pupil, roles,
                                                category_ids=list(category_ids),
                                                since=since, until=until)
    ids = [i["id"] for i in incidents]
    agency_names = dict(await Agency.filter(school_id=session.school_id).values_list(
        "id", "name"))
    agencies: dict[int, list[str]] = {}
    for incident_id, agency_id in await IncidentAgency.filter(incident_id__in=ids).order_by(
            "agency__position", "agency__name").values_list("incident_id", "agency_id"):
        agencies.setdefault(incident_id, []).append(agency_names[agency_id])
    markers: dict[int, list[dict]] = {}
    for marker in await BodyMapMarker.filter(incident_id__in=ids).order_by("id").values(
            "incident_id", "view", "x", "y", "note"):
        markers.setdefault(marker.pop("incident_id"), []).append(marker)
    file_names: dict[tuple[int, int | None], list[str]] = {}
    for incident_id, action_id, name in await Attachment.filter(
            incident_id__in=ids).order_by("id").values_list("incident_id", "action_id", "name"):
        file_names.setdefault((incident_id, action_id), []).append(name)
    for incident in incidents:
        incident.update(agencies=agencies.get(incident["id"], []),
                        body_map=markers.get(incident["id"], []),
                        files=file_names.get((incident["id"], None), []))
    for action in actions:
        action.update(agencies=[agency_names[a] for a in action["agency_ids"]
                                if a in agency_names],
                      files=file_names.get((action["incident_id"], action["id"]), []))
    return FullChronology(pupil=pupil, incidents=incidents, actions=actions)


def in_time_order(incidents: list[dict], actions: list[dict]) -> list[dict]:
    """Incidents (at: when they happened) and actions (at: when recorded) in one list;
    at the same moment an incident comes before the actions under it."""
    return sorted([*incidents, *actions], key=lambda e: (e["at"], e["type"] == "action"))


async def _pupil_here(session: Session, pupil_id: int) -> Pupil:
    pupil = await Pupil.get_or_none(id=pupil_id, school_id=session.school_id)
    if pupil is None:
        raise NotFound("That pupil")
    return pupil


async def _chronology_rows(session: Session, pupil: Pupil, roles: list[Role], *,
                           category_ids: list[int], since: datetime | None,
                           until: datetime | None) -> tuple[list[dict], list[dict]]:
    """The incidents naming the pupil that these roles may see (in the categories chosen,
    or their subcategories, and the time range), and the actions under them."""
    key_roles = {r.value for r in roles if r in KEY_HOLDER_ROLES}
    linked = dict(await IncidentPupil.filter(pupil=pupil).values_list("incident_id", "role"))
    # Two index lookups, not an OR over every incident of the school.
    named = set(await Incident.filter(pupil=pupil).values_list("id", flat=True)) | set(linked)
    query = Incident.filter(school_id=session.school_id, id__in=list(named))
    if category_ids:
        within = Category.filter(school_id=session.school_id).filter(
            Q(id__in=category_ids) | Q(parent_id__in=category_ids))
        query = query.filter(id__in=Subquery(IncidentCategory.filter(
            category_id__in=Subquery(within.values("id"))).values("incident_id")))
    # In UTC, as stored: SQLite compares the text, so "00:00+01:00" would sort after
    # "23:30+00:00" of the evening before, which it follows.
    if since:
        query = query.filter(occurred_at__gte=since.astimezone(UTC))
    if until:
        query = query.filter(occurred_at__lte=until.astimezone(UTC))
    # Plain values, not models: a busy pupil has thousands of entries.
    found = await query.order_by("occurred_at", "id").values(
        "id", "number", "pupil_id", "occurred_at", "recorded_at", "account",
        author="author__name")
    categories: dict[int, list[Category]] = {}
    for link in await IncidentCategory.filter(
            incident_id__in=[i["id"] for i in found]).select_related("category"):
        categories.setdefault(link.incident_id, []).append(link.category)
    incidents = [
        {**i, "type": "incident", "at": i["occurred_at"],
         "role": "subject" if i["pupil_id"] == pupil.id else linked.get(i["id"], "involved"),
         "categories": [c.name for c in categories.get(i["id"], [])]}
        for i in found if roles_may_see(categories.get(i["id"], []), key_roles)]
    numbers = {i["id"]: i["number"] for i in incidents}
    actions = await Action.filter(incident_id__in=list(numbers)).order_by(
        "recorded_at", "id").values("id", "recorded_at", "incident_id", "text", "kind",
                                    "agency_ids", author="author__name")
    for action in actions:
        action.update(type="action", at=action["recorded_at"],
                      number=numbers[action["incident_id"]])
    return incidents, actions
