import asyncio
import socket
from datetime import UTC, datetime, timedelta

import pytest
from aiosmtpd.controller import Controller
from tortoise.transactions import in_transaction

from haven.config import load_settings
from haven.outbox import service as outbox
from haven.outbox.dispatcher import Dispatcher
from haven.outbox.models import OutboxMessage, Status


class Inbox:
    """An SMTP server's handler that keeps what it receives, or refuses on request."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], str]] = []
        self.reply: str | None = None  # e.g. "451 try later" or "550 no such user"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.reply:
            return self.reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            (envelope.mail_from, envelope.rcpt_tos, envelope.content.decode("utf8", "replace"))
        )
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    with socket.socket() as probe:  # aiosmtpd cannot be given port 0
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, controller.port
    controller.stop()


@pytest.fixture
def smtp_settings(settings, smtp_server):
    _, port = smtp_server
    return load_settings(**{
        **settings.model_dump(), "smtp_host": "127.0.0.1", "smtp_port": port,
        "smtp_tls": "none", "smtp_from": "Haven <haven@oakfield.example>",
        "smtp_timeout_seconds": 5,
    })


async def _queue(to="dina@oakfield.example", subject="New concern", body="Open Haven."):
    async with in_transaction():
        message = await outbox.enqueue_email(to, subject, body)
    outbox.notify()
    return message


async def test_a_queued_email_is_delivered_by_smtp(app, smtp_settings, smtp_server):
    inbox, _ = smtp_server
    message = await _queue()
    assert await Dispatcher(smtp_settings).send_due() == 1
    mail_from, recipients, content = inbox.messages[0]
    assert mail_from == "haven@oakfield.example"
    assert recipients == ["dina@oakfield.example"]
    assert "Subject: New concern" in content and "Open Haven." in content
    stored = await OutboxMessage.get(id=message.id)
    assert stored.status == Status.SENT and stored.sent_at is not None
    assert stored.lease_owner is None


async def test_the_running_dispatcher_sends_soon_after_commit(app, smtp_settings, smtp_server):
    inbox, _ = smtp_server
    dispatcher = Dispatcher(smtp_settings)
    dispatcher.start()
    try:
        await _queue()
        for _ in range(50):
            if inbox.messages:
                break
            await asyncio.sleep(0.05)
    finally:
        await dispatcher.stop()
    assert len(inbox.messages) == 1


async def test_nothing_is_sent_for_work_that_was_rolled_back(app, smtp_settings, smtp_server):
    inbox, _ = smtp_server
    with pytest.raises(RuntimeError):
        async with in_transaction():
            await outbox.enqueue_email("dina@oakfield.example", "x", "y")
            raise RuntimeError("the incident could not be saved")
    assert await Dispatcher(smtp_settings).send_due() == 0
    assert inbox.messages == [] and await OutboxMessage.all().count() == 0


async def test_a_sent_message_is_never_sent_again(app, smtp_settings, smtp_server):
    inbox, _ = smtp_server
    await _queue()
    dispatcher = Dispatcher(smtp_settings)
    await dispatcher.send_due()
    await dispatcher.send_due()
    await Dispatcher(smtp_settings).send_due()
    assert len(inbox.messages) == 1


async def test_a_temporary_failure_is_retried_later_with_backoff(app, smtp_settings, smtp_server):
    inbox, _ = smtp_server
    inbox.reply = "451 4.3.0 Mailbox busy, try later"
    message = await _queue()
    dispatcher = Dispatcher(smtp_settings)
    assert await dispatcher.send_due() == 0
    stored = await OutboxMessage.get(id=message.id)
    assert stored.status == Status.PENDING and stored.attempts == 1
    assert "451" in stored.last_error
    assert stored.next_attempt_at > datetime.now(UTC) + timedelta(seconds=5)

    # Not due yet: a second pass leaves it alone.
    assert await dispatcher.send_due() == 0
    assert (await OutboxMessage.get(id=message.id)).attempts == 1

    inbox.reply = None
    await OutboxMessage.filter(id=message.id).update(next_attempt_at=datetime.now(UTC))
    assert await dispatcher.send_due() == 1
    stored = await OutboxMessage.get(id=message.id)
    assert stored.status == Status.SENT and stored.attempts == 2 and stored.last_error is None


async def test_an_unreachable_server_is_retried(app, settings):
    unreachable = load_settings(**{**settings.model_dump(), "smtp_host": "127.0.0.1",
                                   "smtp_port": 9, "smtp_tls": "none"})
    message = await _queue()
    await Dispatcher(unreachable).send_due()
    stored = await OutboxMessage.get(id=message.id)
    assert stored.status == Status.PENDING and stored.attempts == 1 and stored.last_error


async def test_a_permanent_refusal_is_recorded_and_not_retried(app, smtp_settings, smtp_server):
    inbox, _ = smtp_server
    inbox.reply = "550 5.1.1 No such user"
    message = await _queue()
    await Dispatcher(smtp_settings).send_due()
    stored = await OutboxMessage.get(id=message.id)
    assert stored.status == Status.FAILED and "550" in stored.last_error


async def test_it_gives_up_after_the_last_attempt(app, smtp_settings, smtp_server):
    inbox, _ = smtp_server
    inbox.reply = "451 try later"
    limited = load_settings(**{**smtp_settings.model_dump(), "outbox_max_attempts": 2})
    message = await _queue()
    dispatcher = Dispatcher(limited)
    for _ in range(2):
        await OutboxMessage.filter(id=message.id).update(next_attempt_at=datetime.now(UTC))
        await dispatcher.send_due()
    stored = await OutboxMessage.get(id=message.id)
    assert stored.status == Status.FAILED and stored.attempts == 2


async def test_without_smtp_emails_go_to_the_log(app, settings, caplog):
    message = await _queue(subject="Hello from Haven")
    with caplog.at_level("INFO", logger="haven.email"):
        assert await Dispatcher(settings).send_due() == 1
    assert "Hello from Haven" in caplog.text
    assert (await OutboxMessage.get(id=message.id)).status == Status.SENT


async def test_two_processes_never_take_the_same_message(app, settings):
    for n in range(40):
        await outbox.enqueue_email(f"person{n}@oakfield.example", "s", "b")
    lease = timedelta(minutes=2)
    first, second = await asyncio.gather(
        outbox.claim_due("process-a", limit=25, lease=lease),
        outbox.claim_due("process-b", limit=25, lease=lease),
    )
    ids_a, ids_b = {m.id for m in first}, {m.id for m in second}
    assert not ids_a & ids_b
    assert len(ids_a | ids_b) == 40


async def test_a_message_whose_process_died_is_taken_up_after_its_lease(app, settings):
    message = await outbox.enqueue_email("dina@oakfield.example", "s", "b")
    taken = await outbox.claim_due("crashed", limit=10, lease=timedelta(minutes=2))
    assert [m.id for m in taken] == [message.id]
    assert await outbox.claim_due("survivor", limit=10, lease=timedelta(minutes=2)) == []

    await OutboxMessage.filter(id=message.id).update(
        leased_until=datetime.now(UTC) - timedelta(seconds=1)
    )
    retaken = await outbox.claim_due("survivor", limit=10, lease=timedelta(minutes=2))
    assert [m.id for m in retaken] == [message.id]
    # The crashed process's late report does not overwrite the survivor's lease.
    assert await outbox.mark_sent(taken[0], "crashed") is False
    assert await outbox.mark_sent(retaken[0], "survivor") is True


def test_backoff_grows_and_is_capped():
    assert outbox.backoff(1) < outbox.backoff(3) < outbox.backoff(6)
    assert outbox.backoff(50) <= timedelta(hours=1, minutes=12)


async def test_a_message_that_cannot_be_built_fails_once_and_for_all(app, smtp_settings):
    message = await _queue(to="dina@oakfield.example\nBcc: everyone@oakfield.example")
    dispatcher = Dispatcher(smtp_settings)
    assert await dispatcher.send_due() == 0
    stored = await OutboxMessage.get(id=message.id)
    assert stored.status == Status.FAILED and stored.attempts == 1
    assert await dispatcher.send_due() == 0


async def test_a_send_that_outlasts_the_lease_is_abandoned_and_retried(app, settings,
                                                                      monkeypatch):
    from haven.outbox import dispatcher as module

    async def hangs(self, recipient, payload):
        await asyncio.sleep(10)

    monkeypatch.setattr(module, "LEASE", timedelta(seconds=0.4))
    monkeypatch.setattr(module.EmailSender, "send", hangs)
    message = await _queue()
    await Dispatcher(settings).send_due()
    stored = await OutboxMessage.get(id=message.id)
    assert stored.status == Status.PENDING and "lease" in stored.last_error


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_rows_locked_by_another_process_are_skipped_not_waited_for(app, database_url):
    import asyncpg

    for n in range(6):
        await outbox.enqueue_email(f"person{n}@oakfield.example", "s", "b")
    other = await asyncpg.connect(database_url.replace("postgres://", "postgresql://", 1))
    try:
        async with other.transaction():
            await other.execute(
                "SELECT id FROM outbox_message ORDER BY id LIMIT 3 FOR UPDATE")
            taken = await asyncio.wait_for(
                outbox.claim_due("me", limit=10, lease=timedelta(minutes=2)), timeout=3
            )
    finally:
        await other.close()
    assert sorted(m.id for m in taken) == [4, 5, 6]
