from datetime import UTC, datetime, timedelta

from haven.accounts.models import Session, User
from haven.audit.models import AuditEvent
from tests.conftest import CSRF, sign_in


async def test_a_member_of_staff_signs_in_and_sees_who_they_are(client, oakfield):
    response = await sign_in(client, oakfield.alice)
    assert response.status_code == 200
    body = await response.get_json()
    assert body["user"] == {"id": oakfield.alice.id, "email": "alice@oakfield.example",
                            "name": "Alice Teacher"}
    assert body["school"]["slug"] == "oakfield"
    assert body["roles"] == ["staff"]
    assert body["key_holder"] is False
    assert body["elevated_until"] is None

    again = await client.get("/api/session")
    assert again.status_code == 200
    assert (await again.get_json())["user"]["email"] == "alice@oakfield.example"


async def test_a_dsl_is_a_key_holder(client, oakfield):
    body = await (await sign_in(client, oakfield.dina)).get_json()
    assert body["roles"] == ["dsl", "staff"]
    assert body["key_holder"] is True


async def test_the_session_shape_has_timeouts_from_the_school_settings(client, oakfield):
    before = datetime.now(UTC)
    body = await (await sign_in(client, oakfield.alice)).get_json()
    idle = datetime.fromisoformat(body["idle_expires_at"])
    absolute = datetime.fromisoformat(body["expires_at"])
    assert timedelta(minutes=9) < idle - before <= timedelta(minutes=10, seconds=5)
    assert timedelta(hours=11) < absolute - before <= timedelta(hours=12, seconds=5)


async def test_the_email_is_matched_whatever_its_case(client, oakfield):
    response = await client.post(
        "/api/session",
        json={"email": "  ALICE@Oakfield.example ", "password": oakfield.alice.password},
        headers=CSRF,
    )
    assert response.status_code == 200


async def test_it_rejects_a_wrong_password_and_an_unknown_email_alike(client, oakfield):
    wrong = await client.post(
        "/api/session", json={"email": oakfield.alice.email, "password": "nope"}, headers=CSRF
    )
    unknown = await client.post(
        "/api/session", json={"email": "nobody@oakfield.example", "password": "nope"},
        headers=CSRF,
    )
    assert wrong.status_code == unknown.status_code == 401
    assert await wrong.get_json() == await unknown.get_json() == {
        "code": "INVALID_CREDENTIALS", "message": "That email and password do not match."
    }
    failures = await AuditEvent.filter(action="sign_in_failed").count()
    assert failures == 2


async def test_a_disabled_account_cannot_sign_in(client, oakfield):
    await User.filter(id=oakfield.alice.id).update(is_active=False)
    response = await sign_in(client, oakfield.alice)
    assert response.status_code == 401
    assert (await response.get_json())["code"] == "INVALID_CREDENTIALS"


async def test_disabling_an_account_ends_its_sessions(client, oakfield):
    await sign_in(client, oakfield.alice)
    await User.filter(id=oakfield.alice.id).update(is_active=False)
    assert (await client.get("/api/session")).status_code == 401


async def test_without_a_session_it_asks_to_sign_in(client, oakfield):
    response = await client.get("/api/session")
    assert response.status_code == 401
    assert await response.get_json() == {"code": "UNAUTHENTICATED", "message": "Please sign in."}


async def test_signing_out_revokes_the_session_even_for_a_copied_cookie(app, oakfield):
    client = app.test_client()
    await sign_in(client, oakfield.alice)
    copy = app.test_client()
    copy.cookie_jar = client.cookie_jar.__class__()
    for cookie in client.cookie_jar:
        copy.cookie_jar.set_cookie(cookie)

    response = await client.delete("/api/session", headers=CSRF)
    assert response.status_code == 204
    assert response.headers["Clear-Site-Data"] == '"cache"'
    assert (await copy.get("/api/session")).status_code == 401
    session = await Session.get(user_id=oakfield.alice.id)
    assert session.revoked_reason == "signed_out"


async def test_each_sign_in_gets_a_new_session(app, oakfield):
    first, second = app.test_client(), app.test_client()
    await sign_in(first, oakfield.alice)
    await sign_in(second, oakfield.alice)
    tokens = await Session.filter(user_id=oakfield.alice.id).values_list("token_hash", flat=True)
    assert len(set(tokens)) == 2


async def test_the_cookie_holds_no_session_data_only_a_random_token(client, oakfield):
    response = await sign_in(client, oakfield.alice)
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("haven_session=")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert "Max-Age" not in cookie and "Expires" not in cookie
    assert "alice" not in cookie.lower()
    stored = await Session.get(user_id=oakfield.alice.id)
    assert stored.token_hash not in cookie


async def test_an_idle_session_ends(client, oakfield):
    await sign_in(client, oakfield.alice)
    past = datetime.now(UTC) - timedelta(seconds=1)
    await Session.filter(user_id=oakfield.alice.id).update(idle_expires_at=past)
    assert (await client.get("/api/session")).status_code == 401
    assert (await Session.get(user_id=oakfield.alice.id)).revoked_reason == "idle"


async def test_a_session_ends_at_its_absolute_lifetime_however_active(client, oakfield):
    await sign_in(client, oakfield.alice)
    past = datetime.now(UTC) - timedelta(seconds=1)
    await Session.filter(user_id=oakfield.alice.id).update(expires_at=past)
    assert (await client.get("/api/session")).status_code == 401
    assert (await Session.get(user_id=oakfield.alice.id)).revoked_reason == "expired"


async def test_user_activity_extends_the_idle_deadline_but_background_requests_do_not(
    client, oakfield
):
    await sign_in(client, oakfield.alice)
    soon = datetime.now(UTC) + timedelta(minutes=1)
    long_ago = datetime.now(UTC) - timedelta(minutes=5)
    await Session.filter(user_id=oakfield.alice.id).update(
        idle_expires_at=soon, last_active_at=long_ago
    )

    await client.get("/api/session", headers={"X-Haven-Background": "1"})
    session = await Session.get(user_id=oakfield.alice.id)
    assert abs(session.idle_expires_at - soon) < timedelta(seconds=1)

    await client.get("/api/session")
    session = await Session.get(user_id=oakfield.alice.id)
    assert session.idle_expires_at > datetime.now(UTC) + timedelta(minutes=9)


async def test_sign_in_and_out_are_in_the_audit_trail(client, oakfield):
    await sign_in(client, oakfield.alice)
    await client.delete("/api/session", headers=CSRF)
    actions = await AuditEvent.filter(actor_id=oakfield.alice.id).order_by("id").values_list(
        "action", flat=True
    )
    assert actions[-2:] == ["signed_in", "signed_out"]


async def test_staff_at_another_school_sign_in_to_their_own_school(client, oakfield, rita):
    body = await (await sign_in(client, rita)).get_json()
    assert body["school"]["slug"] == "riverside"


async def test_signing_in_again_on_a_device_ends_its_previous_session(client, oakfield):
    await sign_in(client, oakfield.alice)
    await sign_in(client, oakfield.dina)
    alice = await Session.get(user_id=oakfield.alice.id)
    assert alice.revoked_reason == "replaced"
    assert (await (await client.get("/api/session")).get_json())["user"]["name"] == "Dina Safeguard"


async def test_a_mistyped_email_is_not_kept_in_the_audit_trail(client, oakfield):
    await client.post("/api/session", json={"email": "Secret-Passw0rd!", "password": "x"},
                      headers=CSRF)
    event = await AuditEvent.get(action="sign_in_failed")
    assert "Secret" not in str(event.detail)


async def test_the_session_names_the_schools_time_zone(client, oakfield):
    body = await (await sign_in(client, oakfield.alice)).get_json()
    assert body["school"]["timezone"] == "Europe/London"


async def test_idle_expiry_comes_at_ten_minutes_by_the_clock(client, oakfield, frozen_clock):
    await sign_in(client, oakfield.alice)
    background = {"X-Haven-Background": "1"}
    frozen_clock.advance(minutes=9, seconds=59)
    assert (await client.get("/api/session", headers=background)).status_code == 200
    frozen_clock.advance(seconds=62)  # 10:01 since the last user activity
    assert (await client.get("/api/session", headers=background)).status_code == 401


async def test_activity_keeps_a_session_alive_until_its_absolute_end(client, oakfield,
                                                                     frozen_clock):
    await sign_in(client, oakfield.alice)
    for _ in range(72):  # activity every 9:59, up to 11 h 58 min 48 s
        frozen_clock.advance(minutes=9, seconds=59)
        assert (await client.get("/api/session")).status_code == 200
    frozen_clock.advance(minutes=2)  # past 12 hours, though active 2 minutes ago
    assert (await client.get("/api/session")).status_code == 401
    assert (await Session.get(user_id=oakfield.alice.id)).revoked_reason == "expired"
