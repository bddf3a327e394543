"""What happens by the clock: escalating incidents nobody acknowledged in time, and the
end-of-day reminder of unread alerts.

Every server process runs the same loop (started with the dispatcher, see app.py); each
piece of work is claimed in the database first (a conditional UPDATE for an escalation, a
unique row for a school's reminder of the day), so it happens once whichever process
gets there first.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from tortoise.exceptions import IntegrityError
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from haven import clock
from haven.accounts.models import KEY_HOLDER_ROLES, Membership, Role, User
from haven.alerts.models import Alert, Escalation, ReminderRun
from haven.audit import service as audit
from haven.incidents.models import Category, Incident
from haven.incidents.service import roles_may_see
from haven.outbox import service as outbox
from haven.push import service as push
from haven.schools.models import School

log = logging.getLogger("haven.alerts")

EVERY = timedelta(seconds=30)
# A reminder is sent within this long after the school's time, or not at all that day (a
# server that was down at 15:30 and starts at 19:00 does not remind anyone at 19:00).
REMINDER_WINDOW = timedelta(hours=1)
_KEY_HOLDER_ROLE_NAMES = [role.value for role in KEY_HOLDER_ROLES]


async def run_due(public_url: str) -> None:
    await escalate_due(public_url)
    await remind_due(public_url)


# --- escalation ----------------------------------------------------------------------------


async def escalate_due(public_url: str) -> int:
    """Check every escalation that is due; returns how many incidents were escalated."""
    moment = clock.now()
    due = await Escalation.filter(checked_at=None, due_at__lte=moment).order_by("due_at")
    escalated = 0
    for escalation in due:
        try:
            escalated += await _check(escalation, moment, public_url)
        except Exception:  # one bad incident must not stop the others; tried again next
            log.exception("escalation %s could not be checked", escalation.id)
    if escalated:
        outbox.notify()
    return escalated


async def _check(escalation: Escalation, moment: datetime, public_url: str) -> bool:
    async with in_transaction():
        if not await Escalation.filter(id=escalation.id, checked_at=None).update(
                checked_at=moment):
            return False  # another process has it
        incident = await Incident.get(id=escalation.incident_id).select_related("author")
        school = await School.get(id=escalation.school_id)
        alerted = dict(await Alert.filter(incident=incident).values_list("recipient_id",
                                                                          "read_at"))
        key_holders = set(await Membership.filter(
            school=school, user_id__in=list(alerted), role__in=_KEY_HOLDER_ROLE_NAMES,
        ).values_list("user_id", flat=True))
        if any(alerted[user_id] is not None for user_id in key_holders):
            return False  # a key holder has it in hand
        categories = await Category.filter(incident_links__incident=incident).order_by("position",
                                                                                  "name")
        group = await _escalation_group(school, categories) - {incident.author_id}
        await Escalation.filter(id=escalation.id).update(escalated_at=moment)
        await Alert.bulk_create([
            Alert(school=school, incident=incident, recipient_id=user_id, reason="escalation",
                  created_at=moment)
            for user_id in group - set(alerted)])
        names = ", ".join(c.name for c in categories)
        await push.enqueue(school, group, push.Push(
            kind="escalation", urgent=True, url=push.incident_url(incident.id),
            topic=f"incident-{incident.id}",
            body=f"Not yet acknowledged: a concern from {incident.author.name}: {names}"))
        minutes = int((escalation.due_at - incident.recorded_at).total_seconds() // 60)
        await outbox.enqueue_emails(
            await User.filter(id__in=list(group)).values_list("email", flat=True),
            f"Haven: concern not yet acknowledged ({names})",
            f"A concern recorded by {incident.author.name} at {school.name} ({names}, "
            f"incident {incident.number}) has not been read by a DSL or senior leader "
            f"within {minutes} minutes.\n\nOpen Haven to read it: "
            f"{public_url}/#incidents/{incident.id}\n",
            school_id=school.id)
        await audit.record("incident_escalated", school_id=school.id, actor_id=None,
                           target_type="incident", target_id=incident.id,
                           detail={"alerted": len(group)})
    log.info("incident %s escalated to %d people", incident.id, len(group))
    return True


async def _escalation_group(school: School, categories: list[Category]) -> set[int]:
    """Members in the school's escalation roles who may see the incident (the rule of
    restricted categories, as for the SLT's automatic alert)."""
    roles = school.setting("escalation_roles")
    held: dict[int, set[str]] = {}
    for user_id, role in await Membership.filter(
            school=school, role__in=_KEY_HOLDER_ROLE_NAMES, user__is_active=True,
    ).values_list("user_id", "role"):
        held.setdefault(user_id, set()).add(Role(role).value)
    return {user_id for user_id, theirs in held.items()
            if theirs & set(roles) and roles_may_see(categories, theirs)}


# --- end-of-day reminder -------------------------------------------------------------------


async def remind_due(public_url: str) -> int:
    """Remind, once on each weekday at each school's time, everyone with unread alerts.
    Returns how many people were reminded."""
    moment = clock.now()
    reminded = 0
    for school in await School.all():
        day = _reminder_day(school, moment)
        if day is not None:
            try:
                reminded += await _remind(school, day, moment, public_url)
            except Exception:  # another school's reminder still goes
                log.exception("the end-of-day reminder of school %s failed", school.id)
    if reminded:
        outbox.notify()
    return reminded


def _reminder_day(school: School, moment: datetime):
    """The school's date if its reminder is due now, else None."""
    at = school.setting("end_of_day_reminder")
    if not at:
        return None
    local = moment.astimezone(ZoneInfo(school.setting("timezone")))
    if local.weekday() >= 5:
        return None
    start = datetime.combine(local.date(), time.fromisoformat(at), tzinfo=local.tzinfo)
    return local.date() if start <= local < start + REMINDER_WINDOW else None


async def _remind(school: School, day, moment: datetime, public_url: str) -> int:
    try:
        async with in_transaction():
            run = await ReminderRun.create(school=school, day=day, created_at=moment)
            unread = await (Alert.filter(school=school, read_at=None, recipient__is_active=True)
                            .annotate(n=Count("id")).group_by("recipient_id")
                            .values_list("recipient_id", "n"))
            emails = dict(await User.filter(id__in=[u for u, _ in unread])
                          .values_list("id", "email"))
            for user_id, count in unread:
                text = f"You have {count} unread alert{'s' if count != 1 else ''}"
                await push.enqueue(school, [user_id], push.Push(
                    kind="reminder", body=text, url="/#", topic="reminder"))
                await outbox.enqueue_email(
                    emails[user_id], f"Haven: {text.lower()}",
                    f"{text} in Haven at {school.name}. School policy: deal with every alert "
                    f"before you leave.\n\nOpen Haven: {public_url}/#\n",
                    school_id=school.id)
            await ReminderRun.filter(id=run.id).update(reminded=len(unread))
    except IntegrityError:
        return 0  # another process has reminded this school today
    return len(unread)


class Scheduler:
    """Runs run_due every 30 seconds in the background of a server process."""

    def __init__(self, public_url: str) -> None:
        self.public_url = public_url
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="haven-schedule")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass

    async def _run(self) -> None:
        while True:
            try:
                await run_due(self.public_url)
            except asyncio.CancelledError:
                raise
            except Exception:  # a database hiccup must not stop the clock for good
                log.exception("scheduled alerts failed; trying again shortly")
            await asyncio.sleep(EVERY.total_seconds())
