"""Two costs every request paid for nothing, found with `bench/http_load.py --profile`.

- Quart opens its own signed-cookie session on every request (an itsdangerous serializer
  built, the cookie looked for). Haven never uses it: its session is quart-auth's cookie
  and a database row (accounts/service.py).
- quart-schema makes a new pydantic TypeAdapter for every response it converts and every
  body or query it validates. Building one analyses the type each time; pydantic's
  documentation advises making one per type and reusing it, which is what this does for
  quart-schema (its `conversion` module looks the name up at each call).
"""

from __future__ import annotations

from functools import cache

import quart_schema.conversion
from pydantic import TypeAdapter
from quart import Quart
from quart.sessions import SessionInterface


class NoCookieSession(SessionInterface):
    """Quart's `session` stays a null session: nothing read, nothing written."""

    async def open_session(self, app, request):
        return None

    async def save_session(self, app, session, response) -> None:
        return None


@cache
def type_adapter(type_) -> TypeAdapter:
    return TypeAdapter(type_)


def install(app: Quart) -> None:
    app.session_interface = NoCookieSession()
    quart_schema.conversion.TypeAdapter = type_adapter
