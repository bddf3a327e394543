"""Haven's pushes through an independent implementation of a push service: the npm
package web-push-testing (installed by the test command), not our own fake."""

import pytest

from haven.keys import vapid_public_key
from haven.outbox.models import Channel, OutboxMessage, Status
from haven.push.models import PushSubscription
from tests.conftest import sign_in
from tests.push.helpers import alerts_on, record
from tests.push.web_push_testing import run_for_test


@pytest.fixture
async def web_push_testing():
    async with run_for_test() as service:
        yield service


async def test_a_push_is_read_back_decrypted_then_an_expired_device_is_deleted(
        app, settings, oakfield, amy, web_push_testing, dispatcher):
    subscription = await web_push_testing.subscribe(vapid_public_key(settings.data_dir))
    await alerts_on(app, oakfield.dina, subscription)
    alice = app.test_client()
    await sign_in(alice, oakfield.alice)
    incident = await record(alice, oakfield.school, amy, alert_user_ids=[oakfield.dina.id])
    await dispatcher.send_due()

    (payload,) = await web_push_testing.notifications(subscription)
    assert '"kind":"incident"' in payload and f'"url":"/#incidents/{incident["id"]}"' in payload
    assert "Amelia" not in payload and "Amy" not in payload and "Jones" not in payload

    await web_push_testing.expire(subscription)
    await record(alice, oakfield.school, amy, alert_user_ids=[oakfield.dina.id])
    await dispatcher.send_due()
    assert await PushSubscription.all().count() == 0
    failed = await OutboxMessage.get(channel=Channel.PUSH, status=Status.FAILED)
    assert "410" in failed.last_error
