"""The outbox: messages are written in the same transaction as whatever caused them and
sent after commit by the dispatcher, so nothing is sent for work that was rolled back and
nothing is lost when a send fails or the server stops."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from haven import clock
from haven.db import dialect
from haven.outbox.models import Channel, OutboxMessage, Status

_waiting_dispatchers: set[asyncio.Event] = set()


async def enqueue_email(
    to: str, subject: str, body: str, *, school_id: int | None = None
) -> OutboxMessage:
    """Queue an email in the caller's transaction. Call notify() after the commit."""
    return await OutboxMessage.create(
        school_id=school_id,
        channel=Channel.EMAIL,
        recipient=to,
        payload={"subject": subject, "body": body},
        next_attempt_at=clock.now(),
    )


async def enqueue_emails(recipients: list[str], subject: str, body: str, *,
                         school_id: int | None = None) -> None:
    """Queue one email to each recipient in the caller's transaction, in one statement.
    Call notify() after the commit."""
    moment = clock.now()
    await OutboxMessage.bulk_create([
        OutboxMessage(school_id=school_id, channel=Channel.EMAIL, recipient=to,
                      payload={"subject": subject, "body": body}, next_attempt_at=moment)
        for to in recipients])


def notify() -> None:
    """Wake this process's dispatcher now rather than at its next poll."""
    for event in _waiting_dispatchers:
        event.set()


def register_wakeup(event: asyncio.Event) -> None:
    _waiting_dispatchers.add(event)


def unregister_wakeup(event: asyncio.Event) -> None:
    _waiting_dispatchers.discard(event)


async def claim_due(owner: str, *, limit: int, lease: timedelta,
                    channel: Channel | None = None) -> list[OutboxMessage]:
    """Lease up to `limit` due messages to `owner`. On PostgreSQL, rows another process
    is leasing at this moment are skipped (FOR UPDATE SKIP LOCKED), so several server
    processes never take the same message. A lease that runs out (its process died) makes
    the message due again."""
    moment = clock.now()
    async with in_transaction():
        due = (
            OutboxMessage.filter(status=Status.PENDING, next_attempt_at__lte=moment)
            .filter(Q(leased_until=None) | Q(leased_until__lt=moment))
            .order_by("next_attempt_at", "id")
            .limit(limit)
        )
        if channel is not None:
            due = due.filter(channel=channel)
        if dialect() == "postgres":
            due = due.select_for_update(skip_locked=True)
        messages = await due
        if not messages:
            return []
        until = moment + lease
        await OutboxMessage.filter(id__in=[m.id for m in messages]).update(
            leased_until=until, lease_owner=owner
        )
    for message in messages:
        message.leased_until, message.lease_owner = until, owner
    return messages


async def mark_sent(message: OutboxMessage, owner: str) -> bool:
    """Record the send; False when the lease had been lost to another process meanwhile."""
    updated = await OutboxMessage.filter(
        id=message.id, lease_owner=owner, status=Status.PENDING
    ).update(
        status=Status.SENT,
        sent_at=clock.now(),
        attempts=message.attempts + 1,
        leased_until=None,
        lease_owner=None,
        last_error=None,
    )
    return updated == 1


def backoff(attempts: int) -> timedelta:
    """Exponential: about 10 s, 20 s, 40 s ... capped at an hour, with jitter so that a
    crowd of failures does not retry in step."""
    seconds = min(10 * 2 ** max(attempts - 1, 0), 3600)
    return timedelta(seconds=seconds * random.uniform(0.8, 1.2))


async def mark_failed(
    message: OutboxMessage,
    owner: str,
    error: str,
    *,
    permanent: bool,
    max_attempts: int,
    retry_after: timedelta | None = None,
) -> Status:
    """Record a failed attempt: retry later, or give up when it cannot succeed."""
    attempts = message.attempts + 1
    gives_up = permanent or attempts >= max_attempts
    status = Status.FAILED if gives_up else Status.PENDING
    await OutboxMessage.filter(id=message.id, lease_owner=owner).update(
        status=status,
        attempts=attempts,
        last_error=error[:2000],
        next_attempt_at=clock.now() + max(backoff(attempts), retry_after or timedelta(0)),
        leased_until=None,
        lease_owner=None,
    )
    return status
