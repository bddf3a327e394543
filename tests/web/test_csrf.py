import pytest

from tests.conftest import CSRF

BODY = {"email": "alice@oakfield.example", "password": "Correct-Horse-42!"}


async def _refused(response):
    assert response.status_code == 403
    assert (await response.get_json())["code"] == "CSRF"


async def test_a_write_without_the_haven_header_is_refused(client, oakfield):
    await _refused(await client.post("/api/session", json=BODY))


async def test_a_write_with_a_wrong_header_value_is_refused(client, oakfield):
    await _refused(
        await client.post("/api/session", json=BODY, headers={"X-Requested-With": "XMLHttpRequest"})
    )


@pytest.mark.parametrize("site", ["cross-site", "same-site"])
async def test_a_write_from_another_site_is_refused(client, oakfield, site):
    await _refused(
        await client.post("/api/session", json=BODY, headers={**CSRF, "Sec-Fetch-Site": site})
    )


@pytest.mark.parametrize("origin", ["https://evil.example", "null"])
async def test_a_write_with_a_foreign_origin_is_refused(client, oakfield, origin):
    await _refused(
        await client.post("/api/session", json=BODY, headers={**CSRF, "Origin": origin})
    )


async def test_a_same_origin_write_is_accepted(client, oakfield):
    response = await client.post(
        "/api/session", json=BODY,
        headers={**CSRF, "Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"},
    )
    assert response.status_code == 200


async def test_sign_out_needs_the_header_too(client, oakfield):
    await client.post("/api/session", json=BODY, headers=CSRF)
    await _refused(await client.delete("/api/session"))
    assert (await client.get("/api/session")).status_code == 200


async def test_reads_need_no_header(client, oakfield):
    assert (await client.get("/api/session")).status_code == 401
