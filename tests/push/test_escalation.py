"""Escalation: an incident in an escalating category that no key holder alerted has read
within N minutes goes to the school's escalation group again, once."""

import pytest

from haven.alerts import schedule
from haven.alerts.models import Alert, Escalation
from haven.audit.models import AuditEvent
from haven.incidents.models import Category
from haven.outbox.models import Channel, OutboxMessage
from tests.conftest import CSRF, elevate_directly, sign_in
from tests.push.helpers import alerts_on, record

URL = "http://localhost"


async def test_child_protection_escalates_once_at_fifteen_minutes(
        frozen_clock, app, oakfield, alice, amy, push_service, dispatcher):
    await alerts_on(app, oakfield.dina, dinas := push_service.subscription())
    incident = await record(alice, oakfield.school, amy, category="Physical abuse")
    await dispatcher.send_due()
    await push_service.wait_for(1)  # the alert itself

    frozen_clock.advance(minutes=14, seconds=59)
    assert await schedule.escalate_due(URL) == 0
    frozen_clock.advance(seconds=1)
    assert await schedule.escalate_due(URL) == 1
    assert await schedule.escalate_due(URL) == 0  # once
    escalation = await Escalation.get(incident_id=incident["id"])
    assert escalation.escalated_at == frozen_clock.now()
    assert await AuditEvent.filter(action="incident_escalated").count() == 1

    # The escalation group is the DSL and SLT who may see it: the category is DSL-only, so
    # Dina (alerted already) again, not Sam.
    assert {a.recipient_id: a.reason for a in await Alert.filter(incident_id=incident["id"])} \
        == {oakfield.dina.id: "category"}
    await dispatcher.send_due()
    delivery = (await push_service.wait_for(2))[1]
    assert delivery.endpoint == dinas["endpoint"] and delivery.json["kind"] == "escalation"
    assert delivery.json["body"] == ("Not yet acknowledged: a concern from Alice Teacher: "
                                     "Physical abuse")
    subjects = [m.payload["subject"] for m in await OutboxMessage.filter(channel=Channel.EMAIL)]
    assert subjects.count("Haven: concern not yet acknowledged (Physical abuse)") == 1

    dina = app.test_client()
    await sign_in(dina, oakfield.dina)
    await elevate_directly(oakfield.dina.id)
    body = await (await dina.get(f"/api/incidents/{incident['id']}")).get_json()
    assert body["escalated_at"] is not None


async def test_the_senior_team_is_the_escalation_group_where_it_may_see(
        frozen_clock, app, oakfield, alice, amy, adam):
    # Neglect is DSL-only too; make a category everyone may see escalate.
    bullying = await Category.get(school=oakfield.school, name="Bullying")
    await adam.patch(f"/api/admin/categories/{bullying.id}", headers=CSRF,
                     json={"escalate_after_minutes": 15})
    await adam.patch("/api/admin/settings", headers=CSRF, json={"always_alert_slt": False})
    incident = await record(alice, oakfield.school, amy, category="Bullying",
                            alert_user_ids=[oakfield.dina.id])
    frozen_clock.advance(minutes=15)
    assert await schedule.escalate_due(URL) == 1
    assert {a.recipient_id: a.reason for a in await Alert.filter(incident_id=incident["id"])} \
        == {oakfield.dina.id: "chosen", oakfield.sam.id: "escalation"}


async def test_read_in_time_by_a_key_holder_it_does_not_escalate(
        frozen_clock, app, oakfield, alice, amy):
    incident = await record(alice, oakfield.school, amy, category="Neglect")
    dina = app.test_client()
    await sign_in(dina, oakfield.dina)
    frozen_clock.advance(minutes=9)
    response = await dina.post(f"/api/incidents/{incident['id']}/read", headers=CSRF)
    assert response.status_code == 200
    frozen_clock.advance(minutes=6)
    assert await schedule.escalate_due(URL) == 0
    escalation = await Escalation.get(incident_id=incident["id"])
    assert escalation.checked_at is not None and escalation.escalated_at is None


async def test_read_only_by_a_member_of_staff_it_still_escalates(
        frozen_clock, app, oakfield, alice, amy):
    # Alice chose to alert herself? Never: the author is never alerted. Rita-like staff:
    # a second teacher chosen by the author reads it, but no key holder has.
    from haven.accounts.service import add_user
    from tests.conftest import PASSWORD, Person

    bob = await add_user(oakfield.school, "bob@oakfield.example", "Bob Teacher", PASSWORD,
                         ["staff"])
    incident = await record(alice, oakfield.school, amy, category="Neglect",
                            alert_user_ids=[bob.id])
    bob_client = app.test_client()
    await sign_in(bob_client, Person(bob.email, bob.name, bob.id))
    await bob_client.post(f"/api/incidents/{incident['id']}/read", headers=CSRF)
    frozen_clock.advance(minutes=15)
    assert await schedule.escalate_due(URL) == 1


async def _admin(app, oakfield):
    client = app.test_client()
    await sign_in(client, oakfield.adam)
    await elevate_directly(oakfield.adam.id)
    return client


async def test_categories_do_not_escalate_unless_set_to(frozen_clock, app, oakfield, alice,
                                                        amy):
    bullying = await Category.get(school=oakfield.school, name="Bullying")
    assert bullying.escalate_after_minutes is None and not bullying.urgent
    await record(alice, oakfield.school, amy, category="Bullying")
    frozen_clock.advance(hours=3)
    assert await schedule.escalate_due(URL) == 0
    assert await Escalation.all().count() == 0

    adam = await _admin(app, oakfield)
    response = await adam.patch(f"/api/admin/categories/{bullying.id}", headers=CSRF,
                                json={"escalate_after_minutes": 30, "urgent": True})
    assert response.status_code == 200
    assert (await response.get_json())["escalate_after_minutes"] == 30
    alice = app.test_client()
    await sign_in(alice, oakfield.alice)
    await record(alice, oakfield.school, amy, category="Bullying")
    frozen_clock.advance(minutes=30)
    assert await schedule.escalate_due(URL) == 1

    adam = await _admin(app, oakfield)
    response = await adam.patch(f"/api/admin/categories/{bullying.id}", headers=CSRF,
                                json={"escalate_after_minutes": None, "urgent": None})
    body = await response.get_json()
    assert body["escalate_after_minutes"] is None and body["urgent"] is True
