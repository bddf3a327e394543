"""Who may call a route. Every view declares one rule with one of these decorators, and a
test walks the URL map to make sure none is forgotten."""

from __future__ import annotations

from enum import StrEnum
from functools import wraps

from quart import current_app, g, request
from quart_auth import current_user

from haven.accounts import service as accounts
from haven.accounts.models import Session
from haven.config import Settings
from haven.errors import APIError

BACKGROUND_HEADER = "X-Haven-Background"


class Access(StrEnum):
    PUBLIC = "public"
    SIGNED_IN = "signed_in"


def settings() -> Settings:
    return current_app.extensions["haven_settings"]


def client_ip() -> str:
    return request.remote_addr or ""


def is_background_request() -> bool:
    return request.headers.get(BACKGROUND_HEADER) == "1"


def unauthenticated() -> APIError:
    return APIError(401, "UNAUTHENTICATED", "Please sign in.")


def public(view):
    """Anyone may call it: the app shell, health checks, signing in."""
    view.haven_access = Access.PUBLIC
    return view


def signed_in(view):
    """Needs a live session; the view finds it in g.session."""

    @wraps(view)
    async def guarded(*args, **kwargs):
        session = await accounts.current_session(
            current_user.auth_id, user_activity=not is_background_request()
        )
        if session is None:
            raise unauthenticated()
        g.session = session
        return await view(*args, **kwargs)

    guarded.haven_access = Access.SIGNED_IN
    return guarded


def current_session() -> Session:
    return g.session
