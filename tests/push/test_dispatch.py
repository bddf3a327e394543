"""Pushes for alerts: what they say, and what Haven does with each answer."""

import asyncio
from datetime import date, timedelta

import pytest

from haven.outbox.models import Channel, OutboxMessage, Status
from haven.pupils.models import Pupil
from haven.push.models import PushSubscription
from tests.conftest import sign_in
from tests.push.helpers import alerts_on, record
from tests.push.service import HANG

UNUSUAL = ("Zephyrine", "Quillfeather-Okonkwo")


@pytest.fixture
async def zephyrine(oakfield):
    """A pupil whose name appears nowhere else, to search the pushes and emails for."""
    return await Pupil.create(school=oakfield.school, upn="Z1", first_name=UNUSUAL[0],
                              last_name=UNUSUAL[1], date_of_birth=date(2013, 3, 3),
                              year_group="Year 8", form="8Q")


async def pushes_sent() -> int:
    return await OutboxMessage.filter(channel=Channel.PUSH, status=Status.SENT).count()


@pytest.fixture
async def alice(app, oakfield):
    client = app.test_client()
    await sign_in(client, oakfield.alice)
    return client


async def test_an_alert_reaches_each_device_and_says_nothing_of_the_child(
        app, oakfield, alice, zephyrine, push_service, dispatcher):
    phone, desk = push_service.subscription(), push_service.subscription()
    await alerts_on(app, oakfield.dina, phone)
    await alerts_on(app, oakfield.dina, desk)
    incident = await record(alice, oakfield.school, zephyrine,
                            alert_user_ids=[oakfield.dina.id])
    await dispatcher.send_due()

    deliveries = await push_service.wait_for(2)
    assert push_service.rejected == []
    assert {d.endpoint for d in deliveries} == {phone["endpoint"], desk["endpoint"]}
    for delivery in deliveries:
        assert delivery.json == {
            "kind": "incident", "title": "Haven",
            "body": "Alice Teacher recorded a concern: Neglect",
            "url": f"/#incidents/{incident['id']}", "tag": f"incident-{incident['id']}"}
        assert delivery.urgency == "high" and delivery.ttl == 24 * 3600
        assert delivery.topic == f"incident-{incident['id']}"
        assert delivery.claims["sub"] == "mailto:haven@localhost"
        assert 0 < delivery.claims["exp"] - delivery.received_at <= 12 * 3600
    # Nothing sent about the child: not the name, not the account, in pushes or emails.
    sent = [d.payload.decode() for d in deliveries] + [
        str(m.payload) for m in await OutboxMessage.filter(channel=Channel.EMAIL)]
    assert sent and not any(word in text for text in sent
                            for word in (*UNUSUAL, "Hungry", "8Q"))
    assert await OutboxMessage.filter(channel=Channel.PUSH, status=Status.SENT).count() == 2


async def test_an_action_alerts_by_push_too(app, oakfield, alice, amy, push_service,
                                            dispatcher):
    incident = await record(alice, oakfield.school, amy)
    subscription = push_service.subscription()
    await alerts_on(app, oakfield.sam, subscription)
    response = await alice.post(f"/api/incidents/{incident['id']}/actions",
                                headers={"X-Requested-With": "haven"},
                                json={"text": "Spoke to mum.", "alert_user_ids": [oakfield.sam.id]})
    assert response.status_code == 201
    await dispatcher.send_due()
    (delivery,) = await push_service.wait_for(1)
    assert delivery.json["kind"] == "action"
    assert delivery.json["body"] == "Alice Teacher added an action to a concern: Neglect"


@pytest.mark.parametrize("status", [404, 410])
async def test_a_device_that_has_gone_is_deleted_and_not_tried_again(
        app, oakfield, alice, amy, push_service, dispatcher, status):
    gone, kept = push_service.subscription(respond=status), push_service.subscription()
    await alerts_on(app, oakfield.dina, gone)
    await alerts_on(app, oakfield.dina, kept)
    await record(alice, oakfield.school, amy, alert_user_ids=[oakfield.dina.id])
    await dispatcher.send_due()
    await push_service.wait_for(2)
    assert [s.endpoint for s in await PushSubscription.all()] == [kept["endpoint"]]
    failed = await OutboxMessage.get(channel=Channel.PUSH, status=Status.FAILED)
    assert str(status) in failed.last_error
    await dispatcher.send_due()
    assert len(push_service.deliveries) == 2


async def test_too_many_requests_waits_as_long_as_it_is_told_then_sends(
        frozen_clock, app, oakfield, alice, amy, push_service, dispatcher):
    busy = push_service.subscription(respond=429, retry_after=120)
    await alerts_on(app, oakfield.dina, busy)
    await record(alice, oakfield.school, amy, alert_user_ids=[oakfield.dina.id])
    await dispatcher.send_due()
    message = await OutboxMessage.get(channel=Channel.PUSH)
    assert message.status == Status.PENDING and message.attempts == 1
    assert message.next_attempt_at >= frozen_clock.now() + timedelta(seconds=120)

    push_service.set_response(busy["endpoint"], 201)
    frozen_clock.advance(seconds=60)
    await dispatcher.send_due()  # not before the time it was given
    assert await pushes_sent() == 0
    frozen_clock.advance(seconds=61)
    await dispatcher.send_due()
    assert await pushes_sent() == 1
    assert len(push_service.deliveries_to(busy["endpoint"])) == 2


@pytest.mark.parametrize("trouble", [500, HANG])
async def test_a_server_error_or_no_answer_is_tried_again_later(
        frozen_clock, app, oakfield, alice, amy, push_service, dispatcher, trouble):
    flaky = push_service.subscription(respond=trouble)
    await alerts_on(app, oakfield.dina, flaky)
    await record(alice, oakfield.school, amy, alert_user_ids=[oakfield.dina.id])
    await dispatcher.send_due()
    message = await OutboxMessage.get(channel=Channel.PUSH)
    assert message.status == Status.PENDING and message.last_error
    push_service.set_response(flaky["endpoint"], 201)
    frozen_clock.advance(minutes=5)
    await dispatcher.send_due()
    assert await pushes_sent() == 1


async def test_a_redirect_is_never_followed(
        app, oakfield, alice, amy, push_service, dispatcher):
    await alerts_on(app, oakfield.dina, push_service.subscription(respond=307))
    await record(alice, oakfield.school, amy, alert_user_ids=[oakfield.dina.id])
    await dispatcher.send_due()
    message = await OutboxMessage.get(channel=Channel.PUSH)
    assert message.status == Status.FAILED and "redirect" in message.last_error
    assert len(push_service.deliveries) == 1


async def test_another_refusal_is_recorded_and_not_retried(
        frozen_clock, app, oakfield, alice, amy, push_service, dispatcher):
    await alerts_on(app, oakfield.dina, push_service.subscription(respond=400))
    await record(alice, oakfield.school, amy, alert_user_ids=[oakfield.dina.id])
    await dispatcher.send_due()
    message = await OutboxMessage.get(channel=Channel.PUSH)
    assert message.status == Status.FAILED and "400" in message.last_error
    frozen_clock.advance(hours=2)
    await dispatcher.send_due()
    assert len(push_service.deliveries) == 1
    assert await PushSubscription.all().count() == 1


async def test_a_restart_mid_dispatch_loses_nothing_and_repeats_nothing_sent(
        frozen_clock, app, settings, oakfield, alice, amy, push_service):
    from haven.outbox.dispatcher import LEASE, Dispatcher

    fine = [push_service.subscription() for _ in range(3)]
    stuck = push_service.subscription(respond=HANG)
    for subscription in (*fine, stuck):
        await alerts_on(app, oakfield.dina, subscription)
    await record(alice, oakfield.school, amy, alert_user_ids=[oakfield.dina.id])

    first = Dispatcher(settings)  # the process that is stopped mid-dispatch
    sending = asyncio.create_task(first.send_due())
    await push_service.wait_for(4)  # three answered, one in flight
    for _ in range(100):
        if await pushes_sent() == 3:
            break
        await asyncio.sleep(0.02)
    sending.cancel()  # the server stops: the hanging send is never recorded
    await asyncio.gather(sending, return_exceptions=True)
    await first.senders[Channel.PUSH].close()
    assert await pushes_sent() == 3

    push_service.set_response(stuck["endpoint"], 201)
    second = Dispatcher(settings)  # the restarted server
    await second.send_due()  # the lease of the stopped one still holds
    assert await pushes_sent() == 3
    frozen_clock.advance(seconds=LEASE.total_seconds() + 1)
    await second.send_due()
    await second.senders[Channel.PUSH].close()
    for subscription in fine:
        assert len(push_service.deliveries_to(subscription["endpoint"])) == 1
    assert await OutboxMessage.filter(channel=Channel.PUSH, status=Status.SENT).count() == 4
