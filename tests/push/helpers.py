"""Steps the push tests share: turning alerts on for someone, recording a concern."""

from __future__ import annotations

from haven.incidents.models import Category
from tests.conftest import CSRF, sign_in


async def alerts_on(app, person, subscription: dict):
    """`person` signed in on a new client with alerts on for `subscription`."""
    client = app.test_client()
    await sign_in(client, person)
    response = await client.post("/api/push/subscriptions", headers=CSRF, json=subscription)
    assert response.status_code == 201, await response.get_json()
    return client


async def record(client, school, pupil, category="Neglect", **more) -> dict:
    category = await Category.get(school=school, name=category)
    response = await client.post("/api/incidents", headers=CSRF, json={
        "pupil_id": pupil.id, "account": "Hungry again, said there was no food at home.",
        "category_ids": [category.id], **more})
    assert response.status_code == 201, await response.get_json()
    return await response.get_json()
