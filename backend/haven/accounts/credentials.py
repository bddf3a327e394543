"""Setting passwords: changing one's own, resetting a forgotten one by email, and a new
member of staff's invitation (which is the same single-use link with a longer life).

Reset links carry the token in the URL's fragment (#reset=...), which browsers never send
to a server, so it stays out of access logs and Referer headers until the PWA posts it.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from tortoise.transactions import in_transaction

from haven import clock
from haven.accounts import throttle
from haven.accounts.models import Membership, PasswordToken, Session, User
from haven.accounts.passwords import hash_password, verify_password
from haven.accounts.policy import PasswordPolicy
from haven.audit import service as audit
from haven.errors import APIError
from haven.outbox import service as outbox
from haven.schools.models import School

RESET_LIFETIME = timedelta(minutes=30)
# Reset emails to one account within the throttling window; more are quietly dropped, so
# nobody can flood a colleague's inbox from the sign-in screen.
RESETS_PER_WINDOW = 3
# A new member of staff may not read their email the day it is sent.
INVITATION_LIFETIME = timedelta(days=3)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def _home_school(user: User) -> School | None:
    membership = await Membership.filter(user=user).select_related("school").order_by(
        "school__name").first()
    return membership.school if membership else None


async def enforce_policy(user: User, password: str, school: School | None) -> None:
    """Raises PasswordRejected (400, naming each rule broken) under the school's policy."""
    preset = school.setting("password_policy") if school else "school"
    PasswordPolicy.for_school(preset).enforce(
        password,
        email=user.email,
        school_name=school.name if school else "",
        has_authenticator=user.has_authenticator,
    )


async def _set_password(user: User, password: str, *, end_sessions_except: int | None,
                        reason: str) -> None:
    """Store the new hash and end the user's sessions (all, or all but one)."""
    password_hash = await hash_password(password)
    moment = clock.now()
    await User.filter(id=user.id).update(
        password_hash=password_hash, must_change_password=False, password_changed_at=moment
    )
    # Any other reset or invitation link the user still has stops working.
    await PasswordToken.filter(user_id=user.id, used_at=None).update(used_at=moment)
    sessions = Session.filter(user_id=user.id, revoked_at=None)
    if end_sessions_except is not None:
        sessions = sessions.exclude(id=end_sessions_except)
    await sessions.update(revoked_at=moment, revoked_reason=reason)


async def change_password(session: Session, current: str, new: str, *,
                          ip_address: str = "") -> None:
    """Change one's own password. Other sessions of the user end; this one goes on.

    Raises APIError 400 INVALID_PASSWORD (counted towards sign-in throttling),
    PasswordRejected, or 429 TOO_MANY_ATTEMPTS.
    """
    user = await User.get(id=session.user_id)
    key = throttle.account_key(user.email)
    attempt = await throttle.begin({key: throttle.LIMIT})
    if not await verify_password(user.password_hash, current):
        await audit.record("password_change_failed", school_id=session.school_id,
                           actor_id=user.id, ip_address=ip_address)
        raise APIError(400, "INVALID_PASSWORD", "Your current password was not right.")
    await attempt.succeeded(forget=key)
    if current == new:
        raise APIError(400, "PASSWORD_UNCHANGED", "Choose a password different from the one "
                       "you have now.")
    school = await School.get(id=session.school_id)
    await enforce_policy(user, new, school)
    async with in_transaction():
        await _set_password(user, new, end_sessions_except=session.id, reason="password_changed")
        await audit.record("password_changed", school_id=school.id, actor_id=user.id,
                           target_type="user", target_id=user.id, ip_address=ip_address)


async def _issue_token(user: User, school: School | None, purpose: str,
                       lifetime: timedelta) -> str:
    token = secrets.token_urlsafe(32)
    moment = clock.now()
    await PasswordToken.create(
        user=user, school=school, token_hash=_token_hash(token), purpose=purpose,
        created_at=moment, expires_at=moment + lifetime,
    )
    return token


async def request_reset(email: str, *, public_url: str, ip_address: str = "") -> None:
    """Email a single-use reset link to an active account with this email. Says nothing
    about whether there is one: the caller answers 202 either way."""
    user = await User.get_or_none(email=email.strip().lower(), is_active=True)
    if user is None:
        return
    try:
        await throttle.begin({"reset:" + throttle.account_key(user.email): RESETS_PER_WINDOW})
    except APIError:
        return
    school = await _home_school(user)
    async with in_transaction():
        token = await _issue_token(user, school, "reset", RESET_LIFETIME)
        await outbox.enqueue_email(
            user.email,
            "Reset your Haven password",
            f"Hello {user.name},\n\n"
            "Someone (we hope you) asked to reset your Haven password. To choose a new one,\n"
            f"open this link within 30 minutes:\n\n{public_url}/#reset={token}\n\n"
            "If it was not you, ignore this email: your password stays as it is.\n",
            school_id=school.id if school else None,
        )
        await audit.record("password_reset_requested", school_id=school.id if school else None,
                           target_type="user", target_id=user.id, ip_address=ip_address)
    outbox.notify()


async def send_invitation(user: User, school: School, *, public_url: str,
                          actor_id: int | None = None) -> None:
    """Email a new member of staff a link to choose their first password."""
    async with in_transaction():
        token = await _issue_token(user, school, "invitation", INVITATION_LIFETIME)
        await outbox.enqueue_email(
            user.email,
            f"Your Haven account at {school.name}",
            f"Hello {user.name},\n\n"
            f"{school.name} uses Haven to record safeguarding concerns. An account has been\n"
            "made for you. Choose your password within 3 days with this link:\n\n"
            f"{public_url}/#reset={token}\n",
            school_id=school.id,
        )
        await audit.record("invitation_sent", school_id=school.id, actor_id=actor_id,
                           target_type="user", target_id=user.id)
    outbox.notify()


def invalid_token() -> APIError:
    return APIError(400, "INVALID_TOKEN", "This link has been used or has expired. Ask for a "
                    "new one from the sign-in screen.")


async def complete_reset(token: str, password: str, *, ip_address: str = "") -> None:
    """Set a new password with a reset or invitation link. Every session of the user ends.

    Raises APIError 400 INVALID_TOKEN (unknown, used or expired) or PasswordRejected.
    """
    record = await PasswordToken.get_or_none(token_hash=_token_hash(token)).select_related(
        "user", "school")
    if record is None or record.used_at is not None or record.expires_at <= clock.now():
        raise invalid_token()
    user = record.user
    if not user.is_active:
        raise invalid_token()
    await enforce_policy(user, password, record.school or await _home_school(user))
    async with in_transaction():
        # Only one request can use the token, however many arrive at once.
        if not await PasswordToken.filter(id=record.id, used_at=None).update(used_at=clock.now()):
            raise invalid_token()
        await _set_password(user, password, end_sessions_except=None, reason="password_reset")
        await audit.record(
            "password_reset" if record.purpose == "reset" else "first_password_set",
            school_id=record.school_id, actor_id=user.id, target_type="user",
            target_id=user.id, ip_address=ip_address,
        )
