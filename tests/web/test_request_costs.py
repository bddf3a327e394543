import quart_schema.conversion

from haven.web import request_costs


async def test_quart_schema_reuses_one_type_adapter_per_type(app):
    # If a quart-schema release stops looking TypeAdapter up in its conversion module,
    # this fails and web/request_costs.py needs another way in.
    assert quart_schema.conversion.TypeAdapter is request_costs.type_adapter
    assert request_costs.type_adapter(dict) is request_costs.type_adapter(dict)


async def test_quarts_own_cookie_session_is_never_opened(app, client):
    quart_app = app.app
    assert isinstance(quart_app.session_interface, request_costs.NoCookieSession)
    assert await quart_app.session_interface.open_session(quart_app, None) is None
    response = await client.get("/livez")
    assert "Set-Cookie" not in response.headers
