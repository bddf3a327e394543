"""The access guards, on routes made for this test: later issues put them on real ones."""

from datetime import timedelta

import pytest
from quart import Blueprint

from haven.accounts.models import Session, User
from haven.schools.models import School
from haven.web.access import account_setup, admin, key_holder, signed_in
from tests.conftest import running_app, sign_in

probe = Blueprint("probe", __name__)


@probe.get("/api/probe/setup")
@account_setup
async def setup_route():
    return {"ok": True}


@probe.get("/api/probe/signed-in")
@signed_in
async def signed_in_route():
    return {"ok": True}


@probe.get("/api/probe/key-holder")
@key_holder
async def key_holder_route():
    return {"ok": True}


@probe.get("/api/probe/admin")
@admin
async def admin_route():
    return {"ok": True}


@pytest.fixture
async def app(settings):
    async with running_app(settings, probe) as test_app:
        yield test_app


async def _code(client, path):
    response = await client.get(path)
    body = await response.get_json()
    return response.status_code, body.get("code", "ok")


async def _elevate_directly(user_id, frozen_clock, minutes=30):
    await Session.filter(user_id=user_id).update(
        elevated_until=frozen_clock.moment + timedelta(minutes=minutes))


async def test_nobody_signed_in_gets_401_everywhere(client, oakfield):
    for path in ("/api/probe/setup", "/api/probe/signed-in", "/api/probe/key-holder",
                 "/api/probe/admin"):
        assert await _code(client, path) == (401, "UNAUTHENTICATED")


async def test_a_key_holder_must_elevate_first(client, oakfield, frozen_clock):
    await sign_in(client, oakfield.dina)
    assert await _code(client, "/api/probe/signed-in") == (200, "ok")
    assert await _code(client, "/api/probe/key-holder") == (403, "ELEVATION_REQUIRED")
    await _elevate_directly(oakfield.dina.id, frozen_clock)
    assert await _code(client, "/api/probe/key-holder") == (200, "ok")
    frozen_clock.advance(minutes=31)
    await Session.filter(user_id=oakfield.dina.id).update(
        idle_expires_at=frozen_clock.moment + timedelta(minutes=5))
    assert await _code(client, "/api/probe/key-holder") == (403, "ELEVATION_REQUIRED")


async def test_staff_are_not_key_holders_even_when_elevated(client, oakfield, frozen_clock):
    await sign_in(client, oakfield.alice)
    await _elevate_directly(oakfield.alice.id, frozen_clock)
    assert await _code(client, "/api/probe/key-holder") == (403, "FORBIDDEN")
    assert await _code(client, "/api/probe/admin") == (403, "FORBIDDEN")


async def test_an_administrator_must_elevate_too(client, oakfield, frozen_clock):
    await sign_in(client, oakfield.adam)
    assert await _code(client, "/api/probe/admin") == (403, "ELEVATION_REQUIRED")
    await _elevate_directly(oakfield.adam.id, frozen_clock)
    assert await _code(client, "/api/probe/admin") == (200, "ok")
    assert await _code(client, "/api/probe/key-holder") == (403, "FORBIDDEN")


async def test_a_forced_password_change_comes_first(client, oakfield):
    await User.filter(id=oakfield.alice.id).update(must_change_password=True)
    await sign_in(client, oakfield.alice)
    assert await _code(client, "/api/probe/signed-in") == (403, "PASSWORD_CHANGE_REQUIRED")
    assert await _code(client, "/api/probe/setup") == (200, "ok")
    body = await (await client.get("/api/session")).get_json()
    assert body["password_change_required"] is True


async def test_a_school_that_requires_the_authenticator_gets_it_first(client, oakfield):
    school = await School.get(slug="oakfield")
    await School.filter(id=school.id).update(
        settings={**school.settings, "require_authenticator": True})
    await sign_in(client, oakfield.alice)
    assert await _code(client, "/api/probe/signed-in") == (403, "AUTHENTICATOR_REQUIRED")
    assert await _code(client, "/api/probe/setup") == (200, "ok")
    assert (await (await client.get("/api/session")).get_json())["authenticator_required"]


async def test_a_blanked_screen_blocks_everything_until_the_password_is_given(client, oakfield):
    from tests.conftest import CSRF

    await sign_in(client, oakfield.alice)
    assert (await client.post("/api/session/lock", headers=CSRF)).status_code == 204
    assert await _code(client, "/api/probe/signed-in") == (403, "SESSION_LOCKED")
    assert await _code(client, "/api/probe/setup") == (403, "SESSION_LOCKED")
    assert (await (await client.get("/api/session")).get_json())["locked"] is True

    wrong = await client.post("/api/session/unlock", json={"password": "nope"}, headers=CSRF)
    assert (await wrong.get_json())["code"] == "INVALID_PASSWORD"
    right = await client.post("/api/session/unlock", json={"password": oakfield.alice.password},
                              headers=CSRF)
    assert right.status_code == 204
    assert await _code(client, "/api/probe/signed-in") == (200, "ok")


async def test_wrong_unlock_passwords_count_towards_throttling(client, oakfield):
    from tests.conftest import CSRF

    await sign_in(client, oakfield.alice)
    await client.post("/api/session/lock", headers=CSRF)
    for _ in range(10):
        await client.post("/api/session/unlock", json={"password": "nope"}, headers=CSRF)
    refused = await client.post("/api/session/unlock",
                                json={"password": oakfield.alice.password}, headers=CSRF)
    assert refused.status_code == 429
    # Signing out still works from a blanked screen.
    assert (await client.delete("/api/session", headers=CSRF)).status_code == 204
