"""Administration of a school's staff accounts, and each person's own sessions.

Every function works inside one school: a user who does not work there is "not found",
so an administrator never learns about, or changes, another school's staff.
"""

from __future__ import annotations

from tortoise.transactions import in_transaction

from haven import clock
from haven.accounts import credentials, totp
from haven.accounts.models import Membership, Role, Session, User
from haven.accounts.service import add_user, parse_roles
from haven.audit import service as audit
from haven.push.models import PushSubscription
from haven.errors import APIError, Conflict, NotFound
from haven.schools.models import School


async def _member(school: School, user_id: int) -> User:
    user = await User.get_or_none(id=user_id, memberships__school_id=school.id).distinct()
    if user is None:
        raise NotFound("That member of staff")
    return user


def _works_elsewhere(user: User) -> Conflict:
    return Conflict("WORKS_ELSEWHERE", f"{user.name} also works at another school of the "
                    "trust: ask the trust's administrator.")


async def _roles_by_user(school: School) -> dict[int, list[str]]:
    roles: dict[int, list[str]] = {}
    for user_id, role in await Membership.filter(school=school).values_list("user_id", "role"):
        roles.setdefault(user_id, []).append(Role(role).value)
    return {user_id: sorted(names) for user_id, names in roles.items()}


def describe(user: User, roles: list[str], live_sessions: int) -> dict:
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "roles": roles,
        "active": user.is_active,
        "totp_enrolled": user.has_authenticator,
        "password_set": user.password_hash is not None,
        "password_change_required": user.must_change_password,
        "live_sessions": live_sessions,
    }


async def list_staff(school: School) -> list[dict]:
    roles = await _roles_by_user(school)
    users = await User.filter(id__in=list(roles)).order_by("name")
    live = {}
    for user_id in await Session.filter(
        school=school, revoked_at=None, expires_at__gt=clock.now()
    ).values_list("user_id", flat=True):
        live[user_id] = live.get(user_id, 0) + 1
    return [describe(user, roles[user.id], live.get(user.id, 0)) for user in users]


async def directory(school: School, query: str, *, leave_out: int,
                    limit: int = 20) -> dict:
    """Active staff whose name contains every word of the query, by name, for
    choosing whom to alert (leaving out the person asking, who is never alerted about their
    own record); and who is alerted always, whoever is chosen: the SLT when the school's
    always_alert_slt is on."""
    roles = await _roles_by_user(school)
    people = User.filter(id__in=list(roles), is_active=True).exclude(id=leave_out)
    # By name only: the answer holds no email addresses, and the search must not let
    # anyone work them out letter by letter.
    for word in query.lower().split()[:4]:
        people = people.filter(name__icontains=word)
    found = await people.order_by("name", "id").limit(limit)
    always = []
    if school.setting("always_alert_slt"):
        always = await User.filter(
            id__in=[u for u, names in roles.items() if Role.SLT.value in names],
            is_active=True).exclude(id=leave_out).order_by("name", "id")
    return {
        "staff": [{"id": u.id, "name": u.name, "roles": roles[u.id]} for u in found],
        "always_alerted": [{"id": u.id, "name": u.name, "roles": roles[u.id]} for u in always],
    }


async def one(school: School, user_id: int) -> dict:
    user = await _member(school, user_id)
    roles = (await _roles_by_user(school)).get(user.id, [])
    live = await Session.filter(user=user, school=school, revoked_at=None,
                                expires_at__gt=clock.now()).count()
    return describe(user, roles, live)


async def create(school: School, *, email: str, name: str, roles: list[str],
                 password: str | None, actor_id: int, public_url: str) -> dict:
    """A new account. With a password, it must be changed at first sign-in; without one,
    an invitation is emailed. An email that already has an account (here or at another
    school) is refused: a school's administrator must not take over, or learn about,
    another school's staff; giving someone roles in a second school is the trust's job
    (`haven user add --school`)."""
    if await User.exists(email=email.strip().lower()):
        raise Conflict("EMAIL_IN_USE", "That email already has a Haven account. To change "
                       "the roles of someone already at this school, edit them in the list.")
    user = await add_user(school, email, name, password, roles, actor_id=actor_id,
                          must_change_password=True)
    if user.password_hash is None:
        await credentials.send_invitation(user, school, public_url=public_url, actor_id=actor_id)
    return await one(school, user.id)


async def set_roles(school: School, user_id: int, roles: list[str], *, actor_id: int) -> dict:
    """Replace the user's roles in this school. An administrator cannot take away their
    own administrator role, so a school is never left without one by accident."""
    user = await _member(school, user_id)
    wanted = parse_roles(roles)
    if user.id == actor_id and Role.ADMIN not in wanted:
        raise Conflict("OWN_ADMIN_ROLE", "You cannot remove your own administrator role.")
    async with in_transaction():
        await Membership.filter(user=user, school=school).delete()
        for role in wanted:
            await Membership.create(user=user, school=school, role=role)
        await audit.record("roles_changed", school_id=school.id, actor_id=actor_id,
                           target_type="user", target_id=user.id,
                           detail={"roles": [role.value for role in wanted]})
    return await one(school, user.id)


async def set_active(school: School, user_id: int, active: bool, *, actor_id: int) -> dict:
    """Disable (ending every session at once) or enable an account."""
    user = await _member(school, user_id)
    if user.id == actor_id and not active:
        raise Conflict("OWN_ACCOUNT", "You cannot disable your own account.")
    if await Membership.filter(user=user).exclude(school=school).exists():
        raise _works_elsewhere(user)
    async with in_transaction():
        await User.filter(id=user.id).update(is_active=active)
        if not active:
            await _end_sessions(user, reason="disabled")
            await PushSubscription.filter(user_id=user.id).delete()
        await audit.record("user_enabled" if active else "user_disabled", school_id=school.id,
                           actor_id=actor_id, target_type="user", target_id=user.id)
    return await one(school, user.id)


async def reset_authenticator(school: School, user_id: int, *, actor_id: int) -> dict:
    """For a lost phone: the user enrols again at their next sign-in. The authenticator
    serves every school the user works at, so only a sole school may reset it."""
    user = await _member(school, user_id)
    if await Membership.filter(user=user).exclude(school=school).exists():
        raise _works_elsewhere(user)
    async with in_transaction():
        await totp.remove(user)
        await audit.record("authenticator_reset", school_id=school.id, actor_id=actor_id,
                           target_type="user", target_id=user.id)
    return await one(school, user.id)


async def _end_sessions(user: User, *, reason: str, school: School | None = None,
                        keep: int | None = None) -> int:
    sessions = Session.filter(user=user, revoked_at=None)
    if school is not None:
        sessions = sessions.filter(school=school)
    if keep is not None:
        sessions = sessions.exclude(id=keep)
    return await sessions.update(revoked_at=clock.now(), revoked_reason=reason)


async def end_sessions(school: School, user_id: int, *, actor_id: int) -> dict:
    user = await _member(school, user_id)
    async with in_transaction():
        ended = await _end_sessions(user, reason="ended_by_admin", school=school)
        await audit.record("sessions_ended", school_id=school.id, actor_id=actor_id,
                           target_type="user", target_id=user.id, detail={"count": ended})
    return await one(school, user.id)


# --- one's own sessions -----------------------------------------------------------------


async def my_sessions(session: Session) -> list[dict]:
    sessions = await Session.filter(user_id=session.user_id, revoked_at=None,
                                    expires_at__gt=clock.now()).order_by("-last_active_at")
    return [
        {
            "id": s.id,
            "current": s.id == session.id,
            "user_agent": s.user_agent,
            "ip_address": s.ip_address,
            "signed_in_at": s.created_at,
            "last_active_at": s.last_active_at,
        }
        for s in sessions
    ]


async def end_my_session(session: Session, session_id: int, *, ip_address: str = "") -> None:
    """End one of one's own other sessions (sign out the current one with DELETE
    /api/session). Raises NotFound for anyone else's or an ended one."""
    if session_id == session.id:
        raise APIError(400, "CURRENT_SESSION", "To end this session, sign out.")
    async with in_transaction():
        ended = await Session.filter(id=session_id, user_id=session.user_id,
                                     revoked_at=None).update(revoked_at=clock.now(),
                                                             revoked_reason="ended_by_user")
        if not ended:
            raise NotFound("That session")
        await audit.record("session_ended", school_id=session.school_id,
                           actor_id=session.user_id, target_type="session",
                           target_id=session_id, ip_address=ip_address)
