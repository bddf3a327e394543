import pytest

from tests.conftest import CSRF, sign_in


@pytest.mark.parametrize("path", ["/", "/api/session", "/healthz", "/sw.js", "/nowhere"])
async def test_every_response_carries_the_security_headers(client, path):
    response = await client.get(path)
    csp = response.headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "object-src 'none'", "base-uri 'none'",
                      "frame-ancestors 'none'"):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"


async def test_hsts_is_only_sent_over_https_deployments(client):
    assert "Strict-Transport-Security" not in (await client.get("/")).headers


async def test_every_api_route_answers_no_store_whatever_happens(app, client, oakfield):
    await sign_in(client, oakfield.alice)
    for rule in app.app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = rule.rule.replace("<", "").replace(">", "")
        for method in sorted(rule.methods - {"OPTIONS"}):
            for headers in ({}, CSRF):
                response = await client.open(path, method=method, headers=headers, json={})
                assert response.headers["Cache-Control"] == "no-store", (method, path)


async def test_api_answers_are_never_cached(client, oakfield):
    responses = [
        await client.get("/api/session"),
        await sign_in(client, oakfield.alice),
        await client.get("/api/session"),
        await client.get("/api/nothing-here"),
    ]
    assert [r.headers["Cache-Control"] for r in responses] == ["no-store"] * 4


async def test_the_app_shell_revalidates_so_updates_arrive(client):
    assert (await client.get("/")).headers["Cache-Control"] == "no-cache"


async def test_health_reports_the_database(client):
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert await response.get_json() == {"status": "ok", "database": "ok"}


async def test_openapi_describes_the_session_routes(client):
    document = await (await client.get("/openapi.json")).get_json()
    assert {"get", "post", "delete"} <= set(document["paths"]["/api/session"])
