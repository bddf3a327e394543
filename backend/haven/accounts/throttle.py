"""Throttling of failed sign-ins, authenticator codes and password checks.

After `limit` failures within five minutes for any one key (an account, a client address,
a user's elevation), further attempts are refused with 429 and Retry-After until the
oldest of those failures is five minutes old. There is no lock-out beyond that, so nobody
can shut a colleague out of Haven for long by typing their email wrongly on purpose.

An attempt is written down *before* the password or code is checked and taken back if it
succeeds, so a burst of requests sent at once is counted like the same requests one after
another. Attempts are rows in the database, so every server process sees the same counts.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from datetime import timedelta

from haven import clock
from haven.accounts.models import FailedAttempt
from haven.errors import APIError

WINDOW = timedelta(minutes=5)
LIMIT = 10


def account_key(email: str) -> str:
    # Hashed: the table must not become a list of what people typed as their email.
    return "account:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:40]


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


@dataclass
class Attempt:
    """An attempt under way: counted already; `succeeded()` takes it back."""

    ids: list[int] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)

    async def succeeded(self, *, forget: str | None = None) -> None:
        await FailedAttempt.filter(id__in=self.ids).delete()
        if forget:
            # Earlier mistakes no longer count against this key either.
            await FailedAttempt.filter(key=forget).delete()


async def _retry_after(key: str, limit: int) -> int | None:
    moment = clock.now()
    recent = (
        await FailedAttempt.filter(key=key, at__gt=moment - WINDOW)
        .order_by("-at", "-id")
        .limit(limit + 1)
        .values_list("at", flat=True)
    )
    if len(recent) <= limit:
        return None
    # `recent` starts with this attempt; the ones before it are allowed again once the
    # limit-th of them ages out.
    free_at = recent[limit] + WINDOW
    return max(1, math.ceil((free_at - moment).total_seconds()))


async def begin(limits: dict[str, int]) -> Attempt:
    """Count an attempt against each key; raise 429 TOO_MANY_ATTEMPTS (taking the attempt
    back, so that refused requests do not prolong the wait) when any key is over its limit."""
    moment = clock.now()
    attempt = Attempt(keys=list(limits))
    for key in limits:
        attempt.ids.append((await FailedAttempt.create(key=key, at=moment)).id)
    await FailedAttempt.filter(at__lt=moment - WINDOW).delete()
    for key, limit in limits.items():
        wait = await _retry_after(key, limit)
        if wait is not None:
            await FailedAttempt.filter(id__in=attempt.ids).delete()
            raise too_many_attempts(wait)
    return attempt
