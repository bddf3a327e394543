import re
from datetime import timedelta

import pytest

from haven import clock
from haven.accounts.models import Session, User
from haven.audit.models import AuditEvent
from haven.outbox.models import OutboxMessage
from tests.conftest import CSRF, sign_in


async def _json(response):
    return response.status_code, await response.get_json()


async def test_only_an_elevated_administrator_manages_staff(app, oakfield):
    for person, code in ((oakfield.alice, "FORBIDDEN"), (oakfield.dina, "FORBIDDEN"),
                         (oakfield.adam, "ELEVATION_REQUIRED")):
        client = app.test_client()
        await sign_in(client, person)
        status, body = await _json(await client.get("/api/admin/users"))
        assert (status, body["code"]) == (403, code), person.name


async def test_the_list_shows_this_schools_staff_only(adam, oakfield, rita):
    status, body = await _json(await adam.get("/api/admin/users"))
    assert status == 200
    assert [u["name"] for u in body["users"]] == [
        "Adam Office", "Alice Teacher", "Dina Safeguard", "Sam Senior"]
    dina = next(u for u in body["users"] if u["name"] == "Dina Safeguard")
    assert dina["roles"] == ["dsl", "staff"] and dina["active"] and not dina["totp_enrolled"]


async def test_another_schools_staff_are_not_found(adam, rita):
    for request in (adam.get(f"/api/admin/users/{rita.id}"),
                    adam.put(f"/api/admin/users/{rita.id}/active", json={"active": False},
                             headers=CSRF),
                    adam.delete(f"/api/admin/users/{rita.id}/sessions", headers=CSRF)):
        status, body = await _json(await request)
        assert (status, body["code"]) == (404, "NOT_FOUND")
    assert (await User.get(id=rita.id)).is_active


async def test_a_new_member_of_staff_is_invited_to_choose_a_password(app, adam, oakfield):
    status, body = await _json(await adam.post("/api/admin/users", headers=CSRF, json={
        "email": "nina@oakfield.example", "name": "Nina New", "roles": ["staff"]}))
    assert status == 201 and body["password_set"] is False
    email = await OutboxMessage.get(recipient="nina@oakfield.example")
    assert email.payload["subject"] == "Your Haven account at Oakfield Academy"
    token = re.search(r"#reset=([\w-]+)", email.payload["body"]).group(1)

    newcomer = app.test_client()
    attempt = await newcomer.post("/api/session", headers=CSRF, json={
        "email": "nina@oakfield.example", "password": "anything"})
    assert attempt.status_code == 401
    assert (await newcomer.post(f"/api/password-reset/{token}", headers=CSRF,
                                json={"password": "Quiet-Harbour-58!"})).status_code == 204
    signed_in = await newcomer.post("/api/session", headers=CSRF, json={
        "email": "nina@oakfield.example", "password": "Quiet-Harbour-58!"})
    assert signed_in.status_code == 200


async def test_a_first_password_set_by_the_admin_must_be_changed(app, adam):
    status, body = await _json(await adam.post("/api/admin/users", headers=CSRF, json={
        "email": "tom@oakfield.example", "name": "Tom Temp", "roles": ["staff"],
        "password": "Temporary-Pass-11!"}))
    assert status == 201 and body["password_change_required"] is True


async def test_a_first_password_must_meet_the_policy(adam):
    status, body = await _json(await adam.post("/api/admin/users", headers=CSRF, json={
        "email": "tom@oakfield.example", "name": "Tom", "roles": ["staff"],
        "password": "password"}))
    assert (status, body["code"]) == (400, "PASSWORD_TOO_COMMON")
    assert not await User.exists(email="tom@oakfield.example")


async def test_roles_are_replaced_and_audited(adam, oakfield):
    status, body = await _json(await adam.put(
        f"/api/admin/users/{oakfield.alice.id}/roles", json={"roles": ["staff", "dsl"]},
        headers=CSRF))
    assert status == 200 and body["roles"] == ["dsl", "staff"]
    event = await AuditEvent.filter(action="roles_changed").first()
    assert event.actor_id == oakfield.adam.id and event.detail == {"roles": ["dsl", "staff"]}


async def test_an_unknown_role_is_refused(adam, oakfield):
    status, body = await _json(await adam.put(
        f"/api/admin/users/{oakfield.alice.id}/roles", json={"roles": ["head"]}, headers=CSRF))
    assert status == 400 and "'head' is not a role" in body["message"]


async def test_an_administrator_keeps_their_own_admin_role(adam, oakfield):
    status, body = await _json(await adam.put(
        f"/api/admin/users/{oakfield.adam.id}/roles", json={"roles": ["staff"]}, headers=CSRF))
    assert (status, body["code"]) == (409, "OWN_ADMIN_ROLE")


async def test_disabling_ends_every_session_and_enabling_restores_sign_in(app, adam, oakfield):
    alice = app.test_client()
    await sign_in(alice, oakfield.alice)
    status, body = await _json(await adam.put(
        f"/api/admin/users/{oakfield.alice.id}/active", json={"active": False}, headers=CSRF))
    assert status == 200 and body["active"] is False and body["live_sessions"] == 0
    assert (await alice.get("/api/session")).status_code == 401
    assert (await sign_in(alice, oakfield.alice)).status_code == 401
    await adam.put(f"/api/admin/users/{oakfield.alice.id}/active", json={"active": True},
                   headers=CSRF)
    assert (await sign_in(alice, oakfield.alice)).status_code == 200


async def test_resetting_an_authenticator_is_audited(adam, oakfield):
    await User.filter(id=oakfield.dina.id).update(totp_secret="x", totp_confirmed_at=clock.now())
    status, body = await _json(await adam.delete(f"/api/admin/users/{oakfield.dina.id}/totp",
                                                 headers=CSRF))
    assert status == 200 and body["totp_enrolled"] is False
    assert await AuditEvent.filter(action="authenticator_reset",
                                   target_id=str(oakfield.dina.id)).exists()


async def test_an_administrator_can_end_anyones_sessions(app, adam, oakfield):
    dina = app.test_client()
    await sign_in(dina, oakfield.dina)
    status, body = await _json(await adam.delete(f"/api/admin/users/{oakfield.dina.id}/sessions",
                                                 headers=CSRF))
    assert status == 200 and body["live_sessions"] == 0
    assert (await dina.get("/api/session")).status_code == 401


async def test_a_user_sees_and_ends_their_other_sessions(app, client, oakfield):
    phone = app.test_client()
    await sign_in(phone, oakfield.alice, **{"User-Agent": "Phone"})
    await sign_in(client, oakfield.alice, **{"User-Agent": "Desktop"})
    status, body = await _json(await client.get("/api/me/sessions"))
    assert status == 200
    listed = {s["user_agent"]: s for s in body["sessions"]}
    assert listed["Desktop"]["current"] and not listed["Phone"]["current"]

    response = await client.delete(f"/api/me/sessions/{listed['Phone']['id']}", headers=CSRF)
    assert response.status_code == 204
    assert (await phone.get("/api/session")).status_code == 401
    own = await client.delete(f"/api/me/sessions/{listed['Desktop']['id']}", headers=CSRF)
    assert (await own.get_json())["code"] == "CURRENT_SESSION"


async def test_nobody_can_end_someone_elses_session_as_their_own(app, client, oakfield):
    dina = app.test_client()
    await sign_in(dina, oakfield.dina)
    dinas = await Session.get(user_id=oakfield.dina.id)
    await sign_in(client, oakfield.alice)
    response = await client.delete(f"/api/me/sessions/{dinas.id}", headers=CSRF)
    assert response.status_code == 404
    assert (await dina.get("/api/session")).status_code == 200


@pytest.mark.parametrize("email", ["RITA@riverside.example", "alice@oakfield.example"])
async def test_an_email_that_already_has_an_account_is_refused(adam, rita, email):
    status, body = await _json(await adam.post("/api/admin/users", headers=CSRF, json={
        "email": email, "name": "Someone", "roles": ["staff"]}))
    assert (status, body["code"]) == (409, "EMAIL_IN_USE")
    assert "Rita" not in body["message"]
    assert await AuditEvent.filter(action="roles_added").count() == 0


async def test_resetting_the_authenticator_ends_its_elevations(app, adam, oakfield):
    dina = app.test_client()
    await sign_in(dina, oakfield.dina)
    await User.filter(id=oakfield.dina.id).update(totp_secret="x", totp_confirmed_at=clock.now())
    await Session.filter(user_id=oakfield.dina.id).update(
        elevated_until=clock.now() + timedelta(minutes=30))
    await adam.delete(f"/api/admin/users/{oakfield.dina.id}/totp", headers=CSRF)
    assert (await (await dina.get("/api/session")).get_json())["elevated_until"] is None
