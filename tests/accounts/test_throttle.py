from haven.accounts.models import FailedAttempt
from tests.conftest import CSRF, sign_in


async def _wrong(client, email, address="192.0.2.1"):
    return await client.post(
        "/api/session", json={"email": email, "password": "not-it"},
        headers={**CSRF}, scope_base={"client": (address, 40000)},
    )


async def test_the_eleventh_failure_in_five_minutes_is_refused_with_retry_after(
    client, oakfield, frozen_clock
):
    for attempt in range(10):
        assert (await _wrong(client, oakfield.alice.email)).status_code == 401, attempt
        frozen_clock.advance(seconds=10)
    refused = await sign_in(client, oakfield.alice)  # even the right password waits
    assert refused.status_code == 429
    assert (await refused.get_json())["code"] == "TOO_MANY_ATTEMPTS"
    # The first failure was 100 s ago: it leaves the window in 200 s.
    assert refused.headers["Retry-After"] == "200"


async def test_attempts_are_allowed_again_once_the_window_has_passed(client, oakfield,
                                                                     frozen_clock):
    for _ in range(10):
        await _wrong(client, oakfield.alice.email)
    frozen_clock.advance(minutes=5, seconds=1)
    assert (await sign_in(client, oakfield.alice)).status_code == 200


async def test_an_unknown_email_is_throttled_exactly_like_a_known_one(client, oakfield,
                                                                      frozen_clock):
    answers = {}
    for email in (oakfield.alice.email, "nobody@oakfield.example"):
        for _ in range(10):
            await _wrong(client, email, address=f"192.0.2.{len(answers) + 10}")
        response = await _wrong(client, email, address=f"192.0.2.{len(answers) + 10}")
        answers[email] = (response.status_code, await response.get_json(),
                          response.headers["Retry-After"])
    assert len(set(map(str, answers.values()))) == 1


async def test_one_address_is_throttled_across_accounts(client, oakfield, frozen_clock):
    for n in range(10):
        await _wrong(client, f"guess{n}@oakfield.example", address="198.51.100.7")
    refused = await client.post(
        "/api/session", json={"email": oakfield.dina.email, "password": oakfield.dina.password},
        headers=CSRF, scope_base={"client": ("198.51.100.7", 40000)},
    )
    assert refused.status_code == 429
    elsewhere = await client.post(
        "/api/session", json={"email": oakfield.dina.email, "password": oakfield.dina.password},
        headers=CSRF, scope_base={"client": ("203.0.113.5", 40000)},
    )
    assert elsewhere.status_code == 200


async def test_a_colleague_cannot_lock_someone_out_for_long(client, oakfield, frozen_clock):
    for _ in range(30):
        await _wrong(client, oakfield.alice.email, address="198.51.100.9")
        frozen_clock.advance(seconds=20)
    # Ten minutes of deliberate failures; five quiet minutes later Alice signs in.
    frozen_clock.advance(minutes=5)
    assert (await sign_in(client, oakfield.alice)).status_code == 200


async def test_a_successful_sign_in_clears_the_accounts_failures(client, oakfield,
                                                                 frozen_clock):
    for _ in range(9):
        await _wrong(client, oakfield.alice.email, address="192.0.2.50")
    assert (await sign_in(client, oakfield.alice)).status_code == 200
    assert (await _wrong(client, oakfield.alice.email, address="192.0.2.51")).status_code == 401


async def test_no_password_or_readable_email_is_kept_for_throttling(client, oakfield):
    await _wrong(client, oakfield.alice.email)
    keys = await FailedAttempt.all().values_list("key", flat=True)
    assert all("alice" not in key and "not-it" not in key for key in keys)


async def test_a_burst_of_wrong_passwords_sent_at_once_is_throttled_too(client, oakfield):
    import asyncio

    responses = await asyncio.gather(*(_wrong(client, oakfield.alice.email) for _ in range(25)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(401) <= 10 and statuses.count(429) >= 15
