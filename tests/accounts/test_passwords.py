import re

import pytest

from haven.accounts.models import PasswordToken, Session, User
from haven.audit.models import AuditEvent
from haven.outbox.models import OutboxMessage
from haven.schools.models import School
from tests.conftest import CSRF, settle, sign_in

NEW = "Lantern-Meadow-93!"


async def _change(client, current, new):
    return await client.post("/api/me/password",
                             json={"current_password": current, "new_password": new},
                             headers=CSRF)


async def _ask_reset(app, client, email):
    response = await client.post("/api/password-reset", json={"email": email}, headers=CSRF)
    await settle(app)
    return response


async def _reset_link_for(email: str) -> str:
    message = await OutboxMessage.filter(recipient=email).order_by("-id").first()
    return re.search(r"#reset=([\w-]+)", message.payload["body"]).group(1)


async def test_changing_the_password_needs_the_current_one(client, oakfield):
    await sign_in(client, oakfield.alice)
    wrong = await _change(client, "not-it", NEW)
    assert (wrong.status_code, (await wrong.get_json())["code"]) == (400, "INVALID_PASSWORD")
    assert (await _change(client, oakfield.alice.password, NEW)).status_code == 204
    oakfield.alice.password = NEW
    assert (await sign_in(client, oakfield.alice)).status_code == 200


@pytest.mark.parametrize("new, code", [
    ("short1!", "PASSWORD_TOO_SHORT"),
    ("password", "PASSWORD_TOO_COMMON"),
    ("alllowercase1!", "PASSWORD_NEEDS_UPPER"),
    ("Alice-Rocks-2026!", "PASSWORD_CONTAINS_EMAIL"),
    ("Oakfield-Rocks-26!", "PASSWORD_CONTAINS_SCHOOL"),
    ("A" * 129, "PASSWORD_TOO_LONG"),
])
async def test_a_new_password_must_meet_the_schools_policy(client, oakfield, new, code):
    await sign_in(client, oakfield.alice)
    response = await _change(client, oakfield.alice.password, new)
    assert (response.status_code, (await response.get_json())["code"]) == (400, code)


async def test_the_nist_preset_wants_fifteen_characters_without_composition(client, oakfield):
    school = await School.get(slug="oakfield")
    await School.filter(id=school.id).update(settings={**school.settings,
                                                       "password_policy": "nist"})
    await sign_in(client, oakfield.alice)
    assert (await (await _change(client, oakfield.alice.password, "Short-But-Ok1!")
                   ).get_json())["code"] == "PASSWORD_TOO_SHORT"
    assert (await _change(client, oakfield.alice.password, "purple giraffes dance")
            ).status_code == 204


async def test_changing_the_password_ends_the_other_sessions_only(app, client, oakfield):
    other = app.test_client()
    await sign_in(other, oakfield.alice)
    await sign_in(client, oakfield.alice)
    await _change(client, oakfield.alice.password, NEW)
    assert (await client.get("/api/session")).status_code == 200
    assert (await other.get("/api/session")).status_code == 401


async def test_a_forced_change_is_lifted_by_changing_it(client, oakfield):
    await User.filter(id=oakfield.alice.id).update(must_change_password=True)
    await sign_in(client, oakfield.alice)
    assert (await _change(client, oakfield.alice.password, NEW)).status_code == 204
    body = await (await client.get("/api/session")).get_json()
    assert body["password_change_required"] is False


async def test_a_reset_is_always_202_and_emails_only_real_active_accounts(app, client, oakfield):
    for email in (oakfield.alice.email, "nobody@oakfield.example"):
        response = await _ask_reset(app, client, email)
        assert response.status_code == 202
    assert await OutboxMessage.filter(recipient=oakfield.alice.email).count() == 1
    assert await OutboxMessage.filter(recipient="nobody@oakfield.example").count() == 0
    token = await _reset_link_for(oakfield.alice.email)
    stored = await PasswordToken.get(user_id=oakfield.alice.id)
    assert stored.token_hash != token and token not in stored.token_hash


async def test_the_reset_email_says_nothing_about_any_pupil(app, client, oakfield):
    await _ask_reset(app, client, oakfield.alice.email)
    message = await OutboxMessage.get(recipient=oakfield.alice.email)
    assert message.payload["subject"] == "Reset your Haven password"
    assert "http://localhost/#reset=" in message.payload["body"]


async def test_a_reset_link_sets_the_password_once_and_ends_every_session(
    app, client, oakfield
):
    await sign_in(client, oakfield.alice)
    await _ask_reset(app, client, oakfield.alice.email)
    token = await _reset_link_for(oakfield.alice.email)
    anonymous = app.test_client()
    done = await anonymous.post(f"/api/password-reset/{token}", json={"password": NEW},
                                headers=CSRF)
    assert done.status_code == 204
    assert (await client.get("/api/session")).status_code == 401
    assert await Session.filter(user_id=oakfield.alice.id, revoked_reason="password_reset"
                                ).count() == 1
    again = await anonymous.post(f"/api/password-reset/{token}", json={"password": NEW + "x"},
                                 headers=CSRF)
    assert (again.status_code, (await again.get_json())["code"]) == (400, "INVALID_TOKEN")
    assert await AuditEvent.filter(action="password_reset", actor_id=oakfield.alice.id).exists()


async def test_a_reset_link_expires_after_thirty_minutes(app, client, oakfield, frozen_clock):
    await _ask_reset(app, client, oakfield.alice.email)
    token = await _reset_link_for(oakfield.alice.email)
    frozen_clock.advance(minutes=30, seconds=1)
    response = await client.post(f"/api/password-reset/{token}", json={"password": NEW},
                                 headers=CSRF)
    assert (response.status_code, (await response.get_json())["code"]) == (400, "INVALID_TOKEN")


async def test_a_reset_still_follows_the_policy(app, client, oakfield):
    await _ask_reset(app, client, oakfield.alice.email)
    token = await _reset_link_for(oakfield.alice.email)
    weak = await client.post(f"/api/password-reset/{token}", json={"password": "password1"},
                             headers=CSRF)
    assert (await weak.get_json())["code"] == "PASSWORD_TOO_COMMON"
    # A refused password does not use the link up.
    assert (await client.post(f"/api/password-reset/{token}", json={"password": NEW},
                              headers=CSRF)).status_code == 204


async def test_an_unknown_token_is_a_clear_400(client, oakfield):
    response = await client.post("/api/password-reset/not-a-token", json={"password": NEW},
                                 headers=CSRF)
    body = await response.get_json()
    assert (response.status_code, body["code"]) == (400, "INVALID_TOKEN")
    assert "expired" in body["message"]


async def test_reset_emails_to_one_account_are_limited(app, client, oakfield):
    for _ in range(5):
        response = await _ask_reset(app, client, oakfield.alice.email)
        assert response.status_code == 202
    assert await OutboxMessage.filter(recipient=oakfield.alice.email).count() == 3


async def test_setting_a_password_retires_every_other_link(app, client, oakfield,
                                                          frozen_clock):
    await _ask_reset(app, client, oakfield.alice.email)
    first = await _reset_link_for(oakfield.alice.email)
    frozen_clock.advance(seconds=1)
    await _ask_reset(app, client, oakfield.alice.email)
    second = await _reset_link_for(oakfield.alice.email)
    assert first != second
    assert (await client.post(f"/api/password-reset/{second}", json={"password": NEW},
                              headers=CSRF)).status_code == 204
    late = await client.post(f"/api/password-reset/{first}", json={"password": NEW + "x"},
                             headers=CSRF)
    assert (await late.get_json())["code"] == "INVALID_TOKEN"
