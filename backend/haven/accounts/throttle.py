"""Throttling of failed sign-ins and authenticator codes.

After `limit` failures within five minutes for any one key (an account, a client address,
a user's elevation), further attempts are refused with 429 and Retry-After until the
oldest of those failures is five minutes old. There is no lock-out beyond that, so nobody
can shut a colleague out of Haven for long by typing their email wrongly on purpose.
Failures are rows in the database, so every server process sees the same counts.
"""

from __future__ import annotations

import hashlib
import math
from datetime import timedelta

from haven import clock
from haven.accounts.models import FailedAttempt
from haven.errors import APIError

WINDOW = timedelta(minutes=5)
LIMIT = 10


def account_key(email: str) -> str:
    # Hashed: the table must not become a list of what people typed as their email.
    return "account:" + hashlib.sha256(email.encode()).hexdigest()[:40]


def address_key(ip_address: str) -> str:
    return f"address:{ip_address}"


def elevation_key(user_id: int) -> str:
    return f"elevation:{user_id}"


def too_many_attempts(retry_after_seconds: int) -> APIError:
    minutes = max(1, math.ceil(retry_after_seconds / 60))
    return APIError(
        429,
        "TOO_MANY_ATTEMPTS",
        f"Too many failed attempts. Wait {minutes} minute{'s' if minutes > 1 else ''} "
        "and try again.",
        headers={"Retry-After": str(retry_after_seconds)},
    )


async def check(limits: dict[str, int]) -> None:
    """Raise 429 TOO_MANY_ATTEMPTS when any key has reached its limit in the window."""
    moment = clock.now()
    for key, limit in limits.items():
        recent = (
            await FailedAttempt.filter(key=key, at__gt=moment - WINDOW)
            .order_by("-at")
            .limit(limit)
            .values_list("at", flat=True)
        )
        if len(recent) >= limit:
            # Attempts are allowed again once the limit-th most recent failure ages out.
            free_at = recent[limit - 1] + WINDOW
            raise too_many_attempts(max(1, math.ceil((free_at - moment).total_seconds())))


async def record_failure(keys: list[str]) -> None:
    moment = clock.now()
    await FailedAttempt.bulk_create([FailedAttempt(key=key, at=moment) for key in keys])
    await FailedAttempt.filter(at__lt=moment - WINDOW).delete()


async def forget(key: str) -> None:
    """After a success: earlier mistakes no longer count against this key."""
    await FailedAttempt.filter(key=key).delete()
