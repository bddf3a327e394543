"""Idempotency-Key: a submission sent twice is recorded once.

The key is claimed (a row, committed at once) before the work starts, and marked done
in the same transaction as the work, with the id of what it created. So:
- the same key and body again, once done: the original answer, nothing new;
- the same key with a different body: 422, since it cannot be the same submission;
- the same key while the first is still being recorded: 409, try again shortly;
- the first attempt refused (a 4xx) or failed: the claim is released, so the person can
  correct it and send it again with the same key.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta

from tortoise.exceptions import IntegrityError

from haven import clock
from haven.errors import APIError
from haven.incidents.models import IdempotencyRecord

KEEP_FOR = timedelta(days=30)
MAX_KEY = 100


def request_hash(body: dict) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


@dataclass
class Claim:
    record: IdempotencyRecord | None  # None: no key was given

    async def complete(self, resource_id: int) -> None:
        """Inside the transaction that created the resource."""
        if self.record is not None:
            await IdempotencyRecord.filter(id=self.record.id).update(
                done=True, resource_id=resource_id)

    async def release(self) -> None:
        if self.record is not None:
            await IdempotencyRecord.filter(id=self.record.id, done=False).delete()


@dataclass
class Replay:
    resource_id: int


async def claim(school_id: int, user_id: int, key: str | None, resource_type: str,
                body: dict) -> Claim | Replay:
    """Claim the key for this submission, or say what was created with it before.
    Raises APIError 400 (bad key), 409 (in flight) or 422 (another body)."""
    if key is None:
        return Claim(record=None)
    key = key.strip()
    if not key or len(key) > MAX_KEY or not key.isprintable():
        raise APIError(400, "INVALID_IDEMPOTENCY_KEY",
                       f"An Idempotency-Key is 1 to {MAX_KEY} printable characters.")
    digest = request_hash(body)
    moment = clock.now()
    await IdempotencyRecord.filter(created_at__lt=moment - KEEP_FOR).delete()
    try:
        record = await IdempotencyRecord.create(
            school_id=school_id, user_id=user_id, key=key, request_hash=digest,
            resource_type=resource_type, created_at=moment)
        return Claim(record=record)
    except IntegrityError:
        existing = await IdempotencyRecord.get(user_id=user_id, key=key)
    if existing.request_hash != digest or existing.resource_type != resource_type:
        raise APIError(422, "IDEMPOTENCY_KEY_REUSED", "This Idempotency-Key was used for a "
                       "different submission.")
    if not existing.done:
        raise APIError(409, "IN_PROGRESS", "This submission is still being recorded: try "
                       "again in a moment.", headers={"Retry-After": "1"})
    return Replay(resource_id=existing.resource_id)
