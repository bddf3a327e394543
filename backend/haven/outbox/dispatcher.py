"""The dispatcher: a task started with the server that sends the outbox's messages."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from datetime import timedelta

from haven.config import Settings
from haven.outbox import service as outbox
from haven.outbox.email import EmailSender, SendFailed
from haven.outbox.models import Channel, OutboxMessage
from haven.push.sender import PushSender

log = logging.getLogger("haven.outbox")

# Messages taken and sent at once, per channel: an SMTP server dislikes many connections
# from one client, a push service takes many (a thousand devices within seconds). Every
# send of a batch must end within the lease, so a batch is sent all at once.
BATCH = {Channel.EMAIL: 20, Channel.PUSH: 100}
# Long enough for a slow SMTP server, short enough that a crashed process's messages are
# picked up again soon.
LEASE = timedelta(minutes=2)


class Dispatcher:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.senders = {Channel.EMAIL: EmailSender(settings), Channel.PUSH: PushSender(settings)}
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        outbox.register_wakeup(self._wakeup)
        self._task = asyncio.create_task(self._run(), name="haven-outbox")

    async def stop(self) -> None:
        outbox.unregister_wakeup(self._wakeup)
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
        await self.senders[Channel.PUSH].close()

    async def _run(self) -> None:
        while True:
            try:
                await self.send_due()
            except asyncio.CancelledError:
                raise
            except Exception:  # a database hiccup must not stop the dispatcher for good
                log.exception("outbox dispatch failed; trying again shortly")
            try:
                await asyncio.wait_for(self._wakeup.wait(), self.settings.outbox_poll_seconds)
            except TimeoutError:
                pass
            self._wakeup.clear()

    async def send_due(self) -> int:
        """Send every message that is due now; returns how many were sent."""
        # The channels side by side: a slow SMTP server never holds back a push.
        return sum(await asyncio.gather(*(self._send_due(channel, batch)
                                          for channel, batch in BATCH.items())))

    async def _send_due(self, channel: Channel, batch: int) -> int:
        sent = 0
        while messages := await outbox.claim_due(self.owner, limit=batch, lease=LEASE,
                                                 channel=channel):
            results = await asyncio.gather(*(self._send(m) for m in messages))
            sent += sum(results)
        return sent

    async def _send(self, message: OutboxMessage) -> bool:
        sender = self.senders.get(message.channel)
        try:
            if sender is None:
                raise SendFailed(f"no sender for channel {message.channel}", permanent=True)
            try:
                # Finish well inside the lease, or another process could send it again.
                async with asyncio.timeout(LEASE.total_seconds() / 2):
                    await sender.send(message.recipient, message.payload)
            except TimeoutError:
                raise SendFailed("the send took longer than the lease allows") from None
            except SendFailed:
                raise
            except (ValueError, TypeError, KeyError) as error:  # it cannot be built: never
                raise SendFailed(f"{type(error).__name__}: {error}", permanent=True) from error
            except Exception as error:  # e.g. the database, a moment away: tried again
                raise SendFailed(f"{type(error).__name__}: {error}") from error
        except SendFailed as error:
            status = await outbox.mark_failed(
                message, self.owner, str(error), permanent=error.permanent,
                max_attempts=self.settings.outbox_max_attempts, retry_after=error.retry_after,
            )
            log.warning("outbox message %s (%s) failed, now %s: %s",
                        message.id, message.channel, status, error)
            return False
        return await outbox.mark_sent(message, self.owner)
