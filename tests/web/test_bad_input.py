"""Every bad request gets a clear 4xx in the one error shape, and changes nothing."""

import pytest

from haven.accounts.models import Session
from tests.conftest import CSRF

JSON = {**CSRF, "Content-Type": "application/json"}


async def _error(response, status: int, code: str) -> str:
    assert response.status_code == status
    body = await response.get_json()
    assert set(body) == {"code", "message"} and body["code"] == code
    assert "Traceback" not in body["message"] and body["message"]
    return body["message"]


@pytest.mark.parametrize(
    "raw",
    [b"{", b"not json", b'{"email": "a@b.c", "password": }', b"\xff\xfe", b""],
    ids=["truncated", "text", "bad-value", "binary", "empty"],
)
async def test_malformed_json_is_a_400(client, oakfield, raw):
    response = await client.post("/api/session", data=raw, headers=JSON)
    assert response.status_code == 400
    assert (await response.get_json())["code"] in {"INVALID_JSON", "VALIDATION_ERROR"}
    assert await Session.all().count() == 0


@pytest.mark.parametrize(
    "body, field",
    [
        ({"email": 12, "password": "x"}, "email"),
        ({"email": "alice@oakfield.example"}, "password"),
        ({"email": "alice@oakfield.example", "password": ["x"]}, "password"),
        ({"email": "", "password": "x"}, "email"),
        ({"email": "a" * 300, "password": "x"}, "email"),
        ([1, 2, 3], "body"),
        ("just a string", "body"),
    ],
)
async def test_wrong_types_name_the_field(client, oakfield, body, field):
    response = await client.post("/api/session", json=body, headers=CSRF)
    message = await _error(response, 400, "VALIDATION_ERROR")
    if field != "body":
        assert field in message


async def test_an_oversized_body_is_a_413(client, settings):
    too_big = b"x" * (settings.max_request_mb * 1024 * 1024 + 1)
    response = await client.post("/api/session", data=too_big, headers=JSON)
    await _error(response, 413, "PAYLOAD_TOO_LARGE")


@pytest.mark.parametrize("path", ["/api/nothing", "/api/session/extra", "/no/such/file.js"])
async def test_unknown_addresses_are_a_404(client, path):
    await _error(await client.get(path), 404, "NOT_FOUND")


async def test_a_wrong_method_is_a_405(client):
    await _error(await client.put("/api/session", json={}, headers=CSRF), 405,
                 "METHOD_NOT_ALLOWED")


@pytest.mark.parametrize("path", ["/../pyproject.toml", "/%2e%2e/pyproject.toml",
                                  "/sw/../../pyproject.toml", "/css/..%2f..%2fREADME.md"])
async def test_paths_cannot_escape_the_shell_folders(client, path):
    response = await client.get(path)
    assert response.status_code == 404


@pytest.mark.parametrize("body", [
    {"email": "a\u0000@oakfield.example", "password": "x"},
    {"email": "a@oakfield.example", "password": "x", "school": "\u0000"},
])
async def test_a_nul_character_is_a_400_not_a_database_error(client, oakfield, body):
    import json

    response = await client.post("/api/session", data=json.dumps(body), headers=JSON)
    await _error(response, 400, "INVALID_JSON")


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded",
                                          "application/xml"])
async def test_a_body_that_is_not_json_is_a_415(client, oakfield, content_type):
    response = await client.post(
        "/api/session", data=b'{"email": "alice@oakfield.example", "password": "x"}',
        headers={**CSRF, "Content-Type": content_type},
    )
    await _error(response, 415, "UNSUPPORTED_MEDIA_TYPE")
