import asyncio
from datetime import timedelta

import pyotp
import pytest

from haven.accounts.models import RecoveryCode, Session, User
from haven.audit.models import AuditEvent
from tests.conftest import CSRF, sign_in


async def _enrol(client, clock) -> tuple[str, list[str]]:
    """Alice (or whoever is signed in) sets up the authenticator; returns secret, codes."""
    started = await (await client.post("/api/me/totp", json={}, headers=CSRF)).get_json()
    secret = started["secret"]
    confirmed = await client.post("/api/me/totp/confirm",
                                  json={"code": pyotp.TOTP(secret).at(clock.moment)},
                                  headers=CSRF)
    assert confirmed.status_code == 200, await confirmed.get_json()
    clock.advance(seconds=30)  # the enrolment code's step is used up
    return secret, (await confirmed.get_json())["recovery_codes"]


async def _elevate(client, code):
    return await client.post("/api/session/elevate", json={"code": code}, headers=CSRF)


@pytest.fixture
async def dina_enrolled(client, oakfield, frozen_clock):
    await sign_in(client, oakfield.dina)
    return await _enrol(client, frozen_clock)


async def test_enrolment_gives_a_secret_an_otpauth_uri_and_a_qr_code(client, oakfield,
                                                                     frozen_clock):
    await sign_in(client, oakfield.dina)
    response = await client.post("/api/me/totp", json={}, headers=CSRF)
    body = await response.get_json()
    assert response.status_code == 200
    assert body["otpauth_uri"].startswith("otpauth://totp/Haven:dina%40oakfield.example?")
    assert f"secret={body['secret']}" in body["otpauth_uri"]
    assert body["qr_svg"].startswith("<svg") and "<script" not in body["qr_svg"]
    stored = await User.get(id=oakfield.dina.id)
    assert stored.totp_pending_secret and body["secret"] not in stored.totp_pending_secret
    assert stored.totp_secret is None


async def test_a_wrong_code_does_not_activate_it(client, oakfield, frozen_clock):
    await sign_in(client, oakfield.dina)
    await client.post("/api/me/totp", json={}, headers=CSRF)
    response = await client.post("/api/me/totp/confirm", json={"code": "000000"}, headers=CSRF)
    assert response.status_code == 400
    assert (await response.get_json())["code"] == "INVALID_CODE"
    assert not (await User.get(id=oakfield.dina.id)).has_authenticator


async def test_confirming_gives_ten_single_use_recovery_codes_kept_hashed(client, dina_enrolled,
                                                                          oakfield):
    _, codes = dina_enrolled
    assert len(codes) == len(set(codes)) == 10
    stored = await RecoveryCode.filter(user_id=oakfield.dina.id).values_list("code_hash", flat=True)
    assert len(stored) == 10 and not set(codes) & set(stored)
    body = await (await client.get("/api/session")).get_json()
    assert body["totp_enrolled"] is True


async def test_a_code_elevates_the_session_under_a_new_id(app, client, dina_enrolled,
                                                          frozen_clock):
    secret, _ = dina_enrolled
    stale = app.test_client()
    stale.cookie_jar = client.cookie_jar.__class__()
    for cookie in client.cookie_jar:
        stale.cookie_jar.set_cookie(cookie)
    assert (await stale.get("/api/session")).status_code == 200

    response = await _elevate(client, pyotp.TOTP(secret).at(frozen_clock.moment))
    assert response.status_code == 200
    assert (await response.get_json())["elevated_until"] is not None
    assert (await stale.get("/api/session")).status_code == 401
    assert (await client.get("/api/session")).status_code == 200


async def test_elevation_lasts_the_school_setting_and_never_past_the_session(
    client, dina_enrolled, frozen_clock, oakfield
):
    secret, _ = dina_enrolled
    await _elevate(client, pyotp.TOTP(secret).at(frozen_clock.moment))
    session = await Session.get(user_id=oakfield.dina.id, revoked_at=None)
    assert session.elevated_until == frozen_clock.moment + timedelta(minutes=60)

    await Session.filter(id=session.id).update(
        expires_at=frozen_clock.moment + timedelta(minutes=20))
    frozen_clock.advance(seconds=30)
    await _elevate(client, pyotp.TOTP(secret).at(frozen_clock.moment))
    session = await Session.get(id=session.id)
    assert session.elevated_until == session.expires_at


async def test_the_same_code_is_accepted_only_once(client, dina_enrolled, frozen_clock):
    secret, _ = dina_enrolled
    code = pyotp.TOTP(secret).at(frozen_clock.moment)
    assert (await _elevate(client, code)).status_code == 200
    second = await _elevate(client, code)
    assert second.status_code == 400
    assert (await second.get_json())["code"] == "INVALID_CODE"


async def test_two_simultaneous_elevations_with_one_code_let_exactly_one_through(
    app, client, dina_enrolled, frozen_clock, oakfield
):
    secret, _ = dina_enrolled
    other = app.test_client()
    await sign_in(other, oakfield.dina)
    code = pyotp.TOTP(secret).at(frozen_clock.moment)
    statuses = sorted(r.status_code for r in await asyncio.gather(
        _elevate(client, code), _elevate(other, code)))
    assert statuses == [200, 400]


async def test_an_older_step_is_refused_after_a_newer_one(client, dina_enrolled, frozen_clock):
    secret, _ = dina_enrolled
    totp = pyotp.TOTP(secret)
    previous = totp.at(frozen_clock.moment - timedelta(seconds=30))
    assert (await _elevate(client, totp.at(frozen_clock.moment))).status_code == 200
    assert (await _elevate(client, previous)).status_code == 400


async def test_the_previous_step_is_accepted_but_not_the_one_before(client, dina_enrolled,
                                                                    frozen_clock):
    secret, _ = dina_enrolled
    totp = pyotp.TOTP(secret)
    frozen_clock.advance(minutes=5)
    assert (await _elevate(client, totp.at(frozen_clock.moment - timedelta(seconds=60)))
            ).status_code == 400
    assert (await _elevate(client, totp.at(frozen_clock.moment - timedelta(seconds=30)))
            ).status_code == 200


async def test_a_recovery_code_works_once(client, dina_enrolled):
    _, codes = dina_enrolled
    assert (await _elevate(client, codes[3])).status_code == 200
    assert (await _elevate(client, codes[3])).status_code == 400
    assert (await _elevate(client, codes[4].upper())).status_code == 200


async def test_wrong_codes_are_throttled_like_sign_ins(client, dina_enrolled, frozen_clock):
    secret, _ = dina_enrolled
    for _ in range(10):
        assert (await _elevate(client, "123456")).status_code == 400
    refused = await _elevate(client, pyotp.TOTP(secret).at(frozen_clock.moment))
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0


async def test_without_an_authenticator_elevation_says_what_to_do(client, oakfield):
    await sign_in(client, oakfield.dina)
    response = await _elevate(client, "123456")
    assert (response.status_code, (await response.get_json())["code"]) == (
        400, "NO_AUTHENTICATOR")


async def test_re_enrolling_needs_the_password_and_a_current_code(client, dina_enrolled,
                                                                  frozen_clock, oakfield):
    secret, _ = dina_enrolled
    bare = await client.post("/api/me/totp", json={}, headers=CSRF)
    assert (await bare.get_json())["code"] == "INVALID_PASSWORD"
    no_code = await client.post("/api/me/totp", json={"password": oakfield.dina.password},
                                headers=CSRF)
    assert (await no_code.get_json())["code"] == "INVALID_CODE"
    ok = await client.post("/api/me/totp", json={
        "password": oakfield.dina.password, "code": pyotp.TOTP(secret).at(frozen_clock.moment)},
        headers=CSRF)
    assert ok.status_code == 200
    # The old authenticator keeps working until the new one is confirmed.
    assert (await User.get(id=oakfield.dina.id)).has_authenticator


async def test_removing_needs_the_password_and_a_current_code(client, dina_enrolled,
                                                              frozen_clock, oakfield):
    secret, _ = dina_enrolled
    wrong = await client.delete("/api/me/totp", json={"password": "nope", "code": "1"},
                                headers=CSRF)
    assert wrong.status_code == 400
    ok = await client.delete("/api/me/totp", json={
        "password": oakfield.dina.password, "code": pyotp.TOTP(secret).at(frozen_clock.moment)},
        headers=CSRF)
    assert ok.status_code == 204
    assert not (await User.get(id=oakfield.dina.id)).has_authenticator
    assert await RecoveryCode.filter(user_id=oakfield.dina.id).count() == 0


async def test_enrolment_and_elevation_are_audited(client, dina_enrolled, frozen_clock,
                                                   oakfield):
    secret, _ = dina_enrolled
    await _elevate(client, "999999")
    await _elevate(client, pyotp.TOTP(secret).at(frozen_clock.moment))
    actions = await AuditEvent.filter(actor_id=oakfield.dina.id).order_by("id").values_list(
        "action", flat=True)
    assert actions[-4:] == ["authenticator_enrolment_started", "authenticator_enrolled",
                            "elevation_failed", "elevated"]


async def test_changing_the_authenticator_is_throttled_and_audited(client, dina_enrolled,
                                                                   oakfield):
    for _ in range(10):
        response = await client.delete("/api/me/totp", headers=CSRF, json={
            "password": oakfield.dina.password, "code": "123456"})
        assert response.status_code == 400
    refused = await client.delete("/api/me/totp", headers=CSRF, json={
        "password": oakfield.dina.password, "code": "123456"})
    assert refused.status_code == 429
    assert await AuditEvent.filter(action="reauthentication_failed").count() == 10


async def test_a_first_enrolment_needs_the_password_once_the_sign_in_is_not_fresh(
    client, oakfield, frozen_clock
):
    await sign_in(client, oakfield.dina)
    frozen_clock.advance(minutes=6)
    bare = await client.post("/api/me/totp", json={}, headers=CSRF)
    assert (await bare.get_json())["code"] == "INVALID_PASSWORD"
    with_password = await client.post("/api/me/totp", json={"password": oakfield.dina.password},
                                      headers=CSRF)
    assert with_password.status_code == 200


async def test_a_hundred_wrong_codes_in_a_row_suspend_the_authenticator(client, dina_enrolled,
                                                                        frozen_clock, oakfield):
    secret, _ = dina_enrolled
    await User.filter(id=oakfield.dina.id).update(totp_failures=99)
    assert (await _elevate(client, "000000")).status_code == 400
    response = await _elevate(client, pyotp.TOTP(secret).at(frozen_clock.moment))
    assert (response.status_code, (await response.get_json())["code"]) == (
        403, "AUTHENTICATOR_SUSPENDED")


async def test_a_right_code_clears_the_run_of_wrong_ones(client, dina_enrolled, frozen_clock,
                                                         oakfield):
    secret, _ = dina_enrolled
    await _elevate(client, "000000")
    await _elevate(client, pyotp.TOTP(secret).at(frozen_clock.moment))
    assert (await User.get(id=oakfield.dina.id)).totp_failures == 0


@pytest.mark.parametrize("code", ["١٢٣٤٥٦", "12345６", "", "x" * 32])
async def test_odd_codes_are_simply_wrong(client, dina_enrolled, code):
    response = await _elevate(client, code)
    assert response.status_code == 400


async def test_recovery_codes_are_stored_keyed_not_as_plain_hashes(dina_enrolled, oakfield):
    import hashlib

    _, codes = dina_enrolled
    stored = set(await RecoveryCode.filter(user_id=oakfield.dina.id).values_list(
        "code_hash", flat=True))
    plain = {hashlib.sha256(c.replace("-", "").encode()).hexdigest() for c in codes}
    assert not stored & plain
