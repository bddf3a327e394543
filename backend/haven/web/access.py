"""Who may call a route. Every view declares one rule with one of these decorators, and a
test walks the URL map to make sure none is forgotten.

    @public        anyone: the app shell, health, signing in, password reset
    @any_session   signed in, even with the screen blanked (session state, sign out,
                   unlocking)
    @account_setup signed in, even before a forced password change or a required
                   authenticator is done (the routes that do those things)
    @signed_in     signed in and set up
    @key_holder    a DSL or SLT member whose session is elevated with the authenticator
    @admin         an administrator whose session is elevated
"""

from __future__ import annotations

from enum import StrEnum
from functools import wraps

from quart import current_app, g, request
from quart_auth import current_user

from haven.accounts import service as accounts
from haven.accounts.models import KEY_HOLDER_ROLES, Role, Session
from haven.config import Settings
from haven.errors import APIError, ElevationRequired, Forbidden

BACKGROUND_HEADER = "X-Haven-Background"


class Access(StrEnum):
    PUBLIC = "public"
    ANY_SESSION = "any_session"
    ACCOUNT_SETUP = "account_setup"
    SIGNED_IN = "signed_in"
    KEY_HOLDER = "key_holder"
    ADMIN = "admin"


def settings() -> Settings:
    return current_app.extensions["haven_settings"]


def client_ip() -> str:
    return request.remote_addr or ""


def is_background_request() -> bool:
    return request.headers.get(BACKGROUND_HEADER) == "1"


def unauthenticated() -> APIError:
    return APIError(401, "UNAUTHENTICATED", "Please sign in.")


def public(view):
    view.haven_access = Access.PUBLIC
    return view


async def _load_session() -> Session:
    session = await accounts.current_session(
        current_user.auth_id, user_activity=not is_background_request()
    )
    if session is None:
        raise unauthenticated()
    g.session = session
    return session


def _require_unlocked(session: Session) -> None:
    if session.locked_at is not None:
        raise APIError(403, "SESSION_LOCKED", "The screen was blanked: enter your password.")


def _require_setup_done(session: Session) -> None:
    user, school = session.user, session.school
    if user.must_change_password:
        raise APIError(403, "PASSWORD_CHANGE_REQUIRED", "Choose a new password first.")
    if school.setting("require_authenticator") and not user.has_authenticator:
        raise APIError(
            403, "AUTHENTICATOR_REQUIRED", f"{school.name} asks everyone to set up the "
            "authenticator before using Haven."
        )


async def _require_elevated_role(session: Session, allowed: frozenset[Role]) -> None:
    roles = await accounts.roles_in(session.user_id, session.school_id)
    if not allowed & set(roles):
        raise Forbidden()
    if not session.is_elevated:
        raise ElevationRequired()


def _guard(rule: Access, check):
    def decorate(view):
        @wraps(view)
        async def guarded(*args, **kwargs):
            await check(await _load_session())
            return await view(*args, **kwargs)

        guarded.haven_access = rule
        return guarded

    return decorate


async def _nothing_more(_session: Session) -> None:
    return None


async def _unlocked(session: Session) -> None:
    _require_unlocked(session)


async def _set_up(session: Session) -> None:
    _require_unlocked(session)
    _require_setup_done(session)


async def _elevated_key_holder(session: Session) -> None:
    await _set_up(session)
    await _require_elevated_role(session, KEY_HOLDER_ROLES)


async def _elevated_admin(session: Session) -> None:
    await _set_up(session)
    await _require_elevated_role(session, frozenset({Role.ADMIN}))


any_session = _guard(Access.ANY_SESSION, _nothing_more)
account_setup = _guard(Access.ACCOUNT_SETUP, _unlocked)
signed_in = _guard(Access.SIGNED_IN, _set_up)
key_holder = _guard(Access.KEY_HOLDER, _elevated_key_holder)
admin = _guard(Access.ADMIN, _elevated_admin)


async def require_key_holder() -> None:
    """For a route open to everyone signed in where one use is for key holders only (see
    GET /api/incidents): raises 403 FORBIDDEN or ELEVATION_REQUIRED like @key_holder."""
    await _require_elevated_role(current_session(), KEY_HOLDER_ROLES)


def current_session() -> Session:
    return g.session
