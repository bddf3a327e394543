import pytest

from haven.config import load_settings
from tests.conftest import CSRF


@pytest.fixture
def settings(settings):
    return load_settings(**{**settings.model_dump(), "public_url": "https://haven.example"})


async def test_over_https_the_cookie_is_secure_and_host_prefixed(client, oakfield):
    response = await client.post(
        "/api/session",
        json={"email": oakfield.alice.email, "password": oakfield.alice.password},
        headers=CSRF,
        scheme="https",
    )
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-haven=")
    assert "Secure" in cookie and "Path=/" in cookie and "Domain" not in cookie
    assert "Max-Age" not in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
