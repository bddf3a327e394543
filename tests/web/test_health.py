from tortoise import connections


def _database_down(monkeypatch):
    def unreachable(_alias):
        raise ConnectionRefusedError("the database is down")

    monkeypatch.setattr(connections, "get", unreachable)


async def test_liveness_answers_ok(client):
    response = await client.get("/livez")
    assert response.status_code == 200
    assert await response.get_json() == {"status": "ok"}


async def test_liveness_stays_ok_while_the_database_is_down_and_health_does_not(
        client, monkeypatch):
    _database_down(monkeypatch)
    assert (await client.get("/healthz")).status_code == 503
    response = await client.get("/livez")
    assert response.status_code == 200
    assert await response.get_json() == {"status": "ok"}
