"""Accounts: staff, their roles in a school, signing in and out, and sessions.

A session is a row in the database; the cookie holds only a random token whose SHA-256
finds the row. So signing out, disabling an account or a timeout ends a session for
certain, wherever the cookie has been copied.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from tortoise import connections
from tortoise.transactions import in_transaction

from haven.accounts import throttle, totp
from haven.accounts.models import KEY_HOLDER_ROLES, Membership, Role, Session, User
from haven.accounts.passwords import hash_password, verify_password
from haven.accounts.policy import PasswordPolicy
from haven.audit import service as audit
from haven.push.models import PushSubscription
from haven import clock
from haven.db import dialect, joined_columns, models_from_row
from haven.errors import APIError, HavenError
from haven.schools.models import School

# Activity is written at most this often, so a busy screen is not a write per request.
_ACTIVITY_WRITE_INTERVAL = timedelta(seconds=15)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_email(email: str) -> str:
    return email.strip().lower()


def parse_roles(names: list[str]) -> list[Role]:
    """Raises HavenError naming the first unknown role."""
    roles = []
    for name in names:
        try:
            roles.append(Role(name.strip().lower()))
        except ValueError:
            allowed = ", ".join(role.value for role in Role)
            raise HavenError(f"'{name}' is not a role: use one of {allowed}.") from None
    if not roles:
        raise HavenError("Give the user at least one role.")
    return sorted(set(roles))


async def add_user(
    school: School,
    email: str,
    name: str,
    password: str | None,
    roles: list[str],
    *,
    actor_id: int | None = None,
    must_change_password: bool = False,
) -> User:
    """Create an account with roles in a school, or add roles to an existing account.
    Without a password the account cannot sign in until its invitation link is used.

    Raises HavenError for a bad email, empty name or password, unknown role, or when the
    user already has exactly these roles there; PasswordRejected for a password the
    school's policy refuses.
    """
    email, name = normalise_email(email), name.strip()
    if "@" not in email or len(email) > 254 or " " in email:
        raise HavenError(f"'{email}' is not an email address.")
    if not name:
        raise HavenError("Give the user's name with --name.")
    if password is not None and not password:
        raise HavenError("The password is empty.")
    wanted = parse_roles(roles)
    password_hash = None
    if password is not None and not await User.exists(email=email):
        PasswordPolicy.for_school(school.setting("password_policy")).enforce(
            password, email=email, school_name=school.name)
        password_hash = await hash_password(password)
    async with in_transaction():
        user = await User.get_or_none(email=email)
        created = user is None
        if created:
            user = await User.create(
                email=email, name=name, password_hash=password_hash,
                password_changed_at=clock.now() if password_hash else None,
                must_change_password=must_change_password and password_hash is not None,
            )
        held = set(
            await Membership.filter(user=user, school=school).values_list("role", flat=True)
        )
        new_roles = [role for role in wanted if role not in held]
        if not created and not new_roles:
            raise HavenError(f"{email} already has those roles at {school.name}.")
        for role in new_roles:
            await Membership.create(user=user, school=school, role=role)
        await audit.record(
            "user_added" if created else "roles_added",
            school_id=school.id,
            actor_id=actor_id,
            target_type="user",
            target_id=user.id,
            detail={"roles": [role.value for role in new_roles]},
        )
    return user


async def roles_in(user_id: int, school_id: int) -> list[Role]:
    names = await Membership.filter(user_id=user_id, school_id=school_id).values_list(
        "role", flat=True
    )
    return sorted(Role(name) for name in names)


@dataclass(frozen=True)
class SignIn:
    session: Session
    token: str


def invalid_credentials() -> APIError:
    return APIError(401, "INVALID_CREDENTIALS", "That email and password do not match.")


async def sign_in(
    email: str,
    password: str,
    *,
    school_slug: str | None = None,
    ip_address: str = "",
    user_agent: str = "",
    previous_token: str | None = None,
    address_limit: int = throttle.LIMIT,
) -> SignIn:
    """Check the password and open a new session in one of the user's schools. A session
    the device already had (`previous_token`) is ended, so a sign-in never leaves two.

    Raises APIError 401 INVALID_CREDENTIALS for an unknown email, a wrong password or a
    disabled account alike, after the same amount of hashing work, and 429
    TOO_MANY_ATTEMPTS (with Retry-After) after too many failures for the account or from
    the client's address.
    """
    email = normalise_email(email)
    limits = {throttle.account_key(email): throttle.LIMIT,
              throttle.address_key(ip_address): address_limit}
    attempt = await throttle.begin(limits)
    user = await User.get_or_none(email=email)
    matches = await verify_password(user.password_hash if user else None, password)
    if not (user and matches and user.is_active):
        # The typed email is kept only when it is an account's: people sometimes type
        # their password into the email box, and this table keeps everything for ever.
        await audit.record(
            "sign_in_failed",
            actor_id=user.id if user else None,
            detail={
                "email": email if user else "(not an account)",
                "reason": "inactive" if user and matches else "password",
            },
            ip_address=ip_address,
        )
        raise invalid_credentials()

    memberships = Membership.filter(user=user).select_related("school").order_by("school__name")
    if school_slug:
        memberships = memberships.filter(school__slug=school_slug.strip().lower())
    membership = await memberships.first()
    if membership is None:
        await audit.record(
            "sign_in_failed", actor_id=user.id, detail={"email": email, "reason": "no_school"},
            ip_address=ip_address,
        )
        raise invalid_credentials()
    school = membership.school
    await attempt.succeeded(forget=throttle.account_key(email))

    token, token_hash = _new_token()
    started = clock.now()
    async with in_transaction():
        if previous_token:
            await Session.filter(token_hash=_token_hash(previous_token), revoked_at=None).update(
                revoked_at=started, revoked_reason="replaced"
            )
        session = await Session.create(
            token_hash=token_hash,
            school=school,
            user=user,
            created_at=started,
            last_active_at=started,
            idle_expires_at=started + timedelta(minutes=school.setting("idle_timeout_minutes")),
            expires_at=started + timedelta(hours=school.setting("session_lifetime_hours")),
            user_agent=user_agent[:300],
            ip_address=ip_address[:45],
        )
        await audit.record(
            "signed_in", school_id=school.id, actor_id=user.id,
            target_type="session", target_id=session.id, ip_address=ip_address,
        )
    return SignIn(session=session, token=token)


async def current_session(token: str | None, *, user_activity: bool) -> Session | None:
    """The live session for a cookie token, or None when it is unknown, revoked, idle too
    long or past its lifetime. User activity moves the idle deadline on; requests the app
    makes by itself (queue replay, polling) do not."""
    if not token:
        return None
    session = await _session_by_token_hash(_token_hash(token))
    if session is None or session.revoked_at is not None or not session.user.is_active:
        return None
    moment = clock.now()
    if moment >= session.expires_at:
        await _revoke(session, "expired")
        return None
    if moment >= session.idle_expires_at:
        await _revoke(session, "idle")
        return None
    if user_activity and moment - session.last_active_at >= _ACTIVITY_WRITE_INTERVAL:
        idle = timedelta(minutes=session.school.setting("idle_timeout_minutes"))
        session.last_active_at = moment
        session.idle_expires_at = min(moment + idle, session.expires_at)
        await session.save(update_fields=["last_active_at", "idle_expires_at"])
    return session


@cache
def _session_sql(postgres: bool) -> str:
    columns = joined_columns(("s", Session), ("u", User), ("c", School))
    return (f'SELECT {columns} FROM "session" s JOIN "user" u ON u.id = s.user_id '
            f'JOIN "school" c ON c.id = s.school_id WHERE s.token_hash = '
            f'{"$1" if postgres else "?"}')


async def _session_by_token_hash(token_hash: str) -> Session | None:
    """The session with its user and school: what Tortoise's select_related("user",
    "school") gives, as one statement of our own. Every signed-in request starts here, and
    the ORM's query building cost 0.45 ms of CPU a request against 0.08 (bench/RESULTS.md)."""
    sql = _session_sql(dialect() == "postgres")
    _, rows = await connections.get("default").execute_query(sql, [token_hash])
    if not rows:
        return None
    session, user, school = models_from_row(rows[0], Session, User, School)
    session.user, session.school = user, school
    return session


async def _revoke(session: Session, reason: str) -> None:
    session.revoked_at = clock.now()
    session.revoked_reason = reason
    await Session.filter(id=session.id, revoked_at=None).update(
        revoked_at=session.revoked_at, revoked_reason=reason
    )


async def sign_out(session: Session, *, ip_address: str = "") -> None:
    async with in_transaction():
        await _revoke(session, "signed_out")
        # Alerts stop on the device signed out of (they go on through idle timeouts: a
        # DSL's phone must ring whether or not Haven is open).
        await PushSubscription.filter(session_id=session.id).delete()
        await audit.record(
            "signed_out", school_id=session.school_id, actor_id=session.user_id,
            target_type="session", target_id=session.id, ip_address=ip_address,
        )


async def lock(session: Session, *, ip_address: str = "") -> None:
    """The blank-screen button: nothing works in this session until it is unlocked."""
    async with in_transaction():
        await Session.filter(id=session.id).update(locked_at=clock.now())
        await audit.record("screen_blanked", school_id=session.school_id,
                           actor_id=session.user_id, target_type="session",
                           target_id=session.id, ip_address=ip_address)
    session.locked_at = clock.now()


async def unlock(session: Session, password: str, *, ip_address: str = "") -> None:
    """Coming back to a blanked screen needs the password. A wrong one counts towards the
    account's sign-in throttling: raises APIError 400 INVALID_PASSWORD or 429."""
    user = await User.get(id=session.user_id)
    key = throttle.account_key(user.email)
    attempt = await throttle.begin({key: throttle.LIMIT})
    if not await verify_password(user.password_hash, password):
        await audit.record("unlock_failed", school_id=session.school_id, actor_id=user.id,
                           target_type="session", target_id=session.id, ip_address=ip_address)
        raise APIError(400, "INVALID_PASSWORD", "That password is not right.")
    await attempt.succeeded(forget=key)
    async with in_transaction():
        await Session.filter(id=session.id).update(locked_at=None)
        await audit.record("screen_unlocked", school_id=session.school_id, actor_id=user.id,
                           target_type="session", target_id=session.id, ip_address=ip_address)
    session.locked_at = None


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, _token_hash(token)


async def elevate(session: Session, code: str, *, ip_address: str = "") -> str:
    """Step up with an authenticator or recovery code: the session is elevated for the
    school's elevation_minutes (never past its own end) under a new token, returned.

    Raises APIError 400 INVALID_CODE (counted towards throttling), 400 NO_AUTHENTICATOR,
    or 429 TOO_MANY_ATTEMPTS.
    """
    key = throttle.elevation_key(session.user_id)
    attempt = await throttle.begin({key: throttle.LIMIT})
    user = await User.get(id=session.user_id)
    try:
        how = await totp.accept_code(user, code)
    except APIError as error:
        if error.code == "INVALID_CODE":
            await audit.record("elevation_failed", school_id=session.school_id,
                               actor_id=user.id, ip_address=ip_address)
        else:
            await attempt.succeeded()  # not a guess: nothing to count
        raise
    await attempt.succeeded(forget=key)
    token, token_hash = _new_token()
    minutes = session.school.setting("elevation_minutes")
    until = min(clock.now() + timedelta(minutes=minutes), session.expires_at)
    async with in_transaction():
        await Session.filter(id=session.id).update(token_hash=token_hash, elevated_until=until)
        await audit.record("elevated", school_id=session.school_id, actor_id=user.id,
                           target_type="session", target_id=session.id,
                           detail={"with": how}, ip_address=ip_address)
    session.token_hash, session.elevated_until = token_hash, until
    return token


# How recently someone must have typed their password to enrol a first authenticator
# without typing it again (ASVS: re-authentication or recent authentication).
RECENT_SIGN_IN = timedelta(minutes=5)


async def _reauthenticate(session: Session, user: User, password: str | None,
                          code: str | None, *, need_code: bool, ip_address: str) -> None:
    """Check the password (and a current code) before an authenticator changes. Wrong
    answers count towards both the account's and the elevation's throttling and are
    audited. Raises APIError 400 INVALID_PASSWORD or INVALID_CODE, or 429."""
    attempt = await throttle.begin({throttle.account_key(user.email): throttle.LIMIT,
                                    throttle.elevation_key(user.id): throttle.LIMIT})
    try:
        if not (password and await verify_password(user.password_hash, password)):
            raise APIError(400, "INVALID_PASSWORD", "Your password is needed, and was not right.")
        if need_code:
            await totp.accept_code(user, code or "")
    except APIError:
        await audit.record("reauthentication_failed", school_id=session.school_id,
                           actor_id=user.id, ip_address=ip_address)
        raise
    await attempt.succeeded()


async def start_authenticator(
    session: Session, *, password: str | None, code: str | None, ip_address: str = ""
) -> totp.Enrolment:
    """Begin (re-)enrolment. It needs the password unless the session signed in within
    the last five minutes, and a current code as well when there is an authenticator
    already: raises APIError 400 INVALID_PASSWORD or INVALID_CODE, or 429."""
    user = await User.get(id=session.user_id)
    freshly_signed_in = clock.now() - session.created_at < RECENT_SIGN_IN
    if user.has_authenticator or password is not None or not freshly_signed_in:
        await _reauthenticate(session, user, password, code,
                              need_code=user.has_authenticator, ip_address=ip_address)
    enrolment = await totp.start_enrolment(user)
    await audit.record("authenticator_enrolment_started", school_id=session.school_id,
                       actor_id=user.id, ip_address=ip_address)
    return enrolment


async def confirm_authenticator(session: Session, code: str, *, ip_address: str = "") -> list[str]:
    """Activate the pending authenticator; returns its recovery codes."""
    user = await User.get(id=session.user_id)
    try:
        codes = await totp.confirm_enrolment(user, code)
    except APIError:
        await audit.record("authenticator_confirmation_failed", school_id=session.school_id,
                           actor_id=user.id, ip_address=ip_address)
        raise
    await audit.record("authenticator_enrolled", school_id=session.school_id,
                       actor_id=user.id, ip_address=ip_address)
    return codes


async def remove_authenticator(
    session: Session, *, password: str | None, code: str | None, ip_address: str = ""
) -> None:
    user = await User.get(id=session.user_id)
    await _reauthenticate(session, user, password, code, need_code=True, ip_address=ip_address)
    async with in_transaction():
        await totp.remove(user)
        await audit.record("authenticator_removed", school_id=session.school_id,
                           actor_id=user.id, ip_address=ip_address)


@dataclass(frozen=True)
class SessionView:
    """What GET /api/session tells the app about who is signed in."""

    session: Session
    roles: list[Role]

    @property
    def key_holder(self) -> bool:
        return any(role in KEY_HOLDER_ROLES for role in self.roles)

    def as_json(self) -> dict:
        session = self.session
        elevated = session.elevated_until
        if elevated is not None and elevated <= clock.now():
            elevated = None
        return {
            "user": {"id": session.user.id, "email": session.user.email, "name": session.user.name},
            "school": {
                "id": session.school.id,
                "slug": session.school.slug,
                "name": session.school.name,
                "timezone": session.school.setting("timezone"),
                "idle_timeout_minutes": session.school.setting("idle_timeout_minutes"),
            },
            "roles": [role.value for role in self.roles],
            "key_holder": self.key_holder,
            "totp_enrolled": session.user.has_authenticator,
            "password_change_required": session.user.must_change_password,
            "locked": session.locked_at is not None,
            "authenticator_required": bool(
                session.school.setting("require_authenticator")
                and not session.user.has_authenticator
            ),
            "elevated_until": elevated,
            "idle_expires_at": session.idle_expires_at,
            "expires_at": session.expires_at,
        }


async def describe(session: Session) -> SessionView:
    return SessionView(session=session, roles=await roles_in(session.user_id, session.school_id))
