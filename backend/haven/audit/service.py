"""The audit trail: every sign-in, account change and (later) every view of pupil data.

Rows form a hash chain. Each row's hash covers its own id and content and the previous
row's hash, so an edited, deleted or reordered row is found by `verify_chain`. The chain
is global (not per school) so that a whole school's rows cannot be dropped unnoticed.
"""

from __future__ import annotations

import asyncio

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from haven.audit.models import AuditEvent, AuditHead
from haven import clock
from haven.db import dialect

GENESIS = "0" * 64
_HEAD_ID = 1
# The key that seals the head of the chain; from the data folder, set at start.
_seal_key: bytes | None = None


def use_seal_key(key: bytes) -> None:
    global _seal_key
    _seal_key = key


def _seal(last_id: int, last_hash: str) -> str:
    if _seal_key is None:
        raise RuntimeError("the audit key is not loaded: call audit.use_seal_key() at start")
    return hmac.new(_seal_key, f"{last_id}:{last_hash}".encode(), hashlib.sha256).hexdigest()
# Any fixed number: PostgreSQL advisory locks are keyed by an integer of our choosing.
_CHAIN_LOCK = 0x4A7E_A0D1


def canonical_content(
    *,
    id: int,
    school_id: int | None,
    at: datetime,
    actor_id: int | None,
    action: str,
    target_type: str,
    target_id: str,
    detail: dict,
    ip_address: str,
    prev_hash: str,
) -> bytes:
    return json.dumps(
        {
            "id": id,
            "school_id": school_id,
            "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
            "actor_id": actor_id,
            "action": action,
            "target_type": target_type,
            "target_id": target_id,
            "detail": detail,
            "ip_address": ip_address,
            "prev_hash": prev_hash,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode()


def _hash(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _content_of(event: AuditEvent) -> bytes:
    return canonical_content(
        id=event.id,
        school_id=event.school_id,
        at=event.at,
        actor_id=event.actor_id,
        action=event.action,
        target_type=event.target_type,
        target_id=event.target_id,
        detail=event.detail,
        ip_address=event.ip_address,
        prev_hash=event.prev_hash,
    )


async def record(
    action: str,
    *,
    school_id: int | None = None,
    actor_id: int | None = None,
    target_type: str = "",
    target_id: str | int = "",
    detail: dict | None = None,
    ip_address: str = "",
) -> AuditEvent:
    """Append one event to the trail, inside the caller's transaction if there is one.

    Raises TypeError or ValueError when `detail` holds anything but plain JSON values.
    """
    _check_plain(detail or {})
    async with in_transaction() as connection:
        if dialect() == "postgres":
            # Serialises writers across server processes until this transaction ends.
            await connection.execute_query("SELECT pg_advisory_xact_lock($1)", [_CHAIN_LOCK])
        last = await AuditEvent.all().order_by("-id").only("id", "hash").first()
        fields = {
            "id": (last.id + 1) if last else 1,
            "school_id": school_id,
            "at": clock.now(),
            "actor_id": actor_id,
            "action": action,
            "target_type": target_type,
            "target_id": str(target_id),
            "detail": detail or {},
            "ip_address": ip_address,
            "prev_hash": last.hash if last else GENESIS,
        }
        event = await AuditEvent.create(**fields, hash=_hash(canonical_content(**fields)))
        head = {"last_id": event.id, "last_hash": event.hash,
                "seal": _seal(event.id, event.hash)}
        if not await AuditHead.filter(id=_HEAD_ID).update(**head):
            await AuditHead.create(id=_HEAD_ID, **head)
        return event


def _check_plain(value, where: str = "detail") -> None:
    """Details hold only strings, integers, booleans and None (in lists and objects):
    PostgreSQL's jsonb rewrites some floats (1e20, -0.0), which would break the hash."""
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{where} has a key that is not a string: {key!r}")
            _check_plain(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_plain(item, f"{where}[{index}]")
    elif isinstance(value, str):
        if "\x00" in value:
            raise ValueError(f"{where} contains a NUL character")
    elif value is not None and not isinstance(value, (bool, int)):
        raise TypeError(f"{where} is a {type(value).__name__}: use str, int, bool or None")


@dataclass(frozen=True)
class ChainReport:
    rows: int
    first_bad_id: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.first_bad_id is None


async def verify_chain(batch_size: int = 5000, start_after: int = 0) -> ChainReport:
    """Walk the whole trail in id order; report the first row that breaks the chain, then
    check that the last row is the one the sealed head names (nothing cut off the end).
    start_after: check only the rows after this one, taking its hash as it stands (a
    quicker check of the newest rows; it cannot see a change to the rows before)."""
    previous_hash, previous_id, rows = GENESIS, start_after, 0
    if start_after:
        found = await AuditEvent.filter(id=start_after).values_list("hash", flat=True)
        previous_hash = found[0] if found else GENESIS
    while True:
        batch = await AuditEvent.filter(id__gt=previous_id).order_by("id").limit(batch_size)
        if not batch:
            return await _check_head(rows, previous_id, previous_hash)
        # Hashing thousands of rows is CPU work: in a thread, so a server checking its
        # trail (the Ofsted report does) goes on answering meanwhile.
        broken, previous_id, previous_hash = await asyncio.to_thread(
            _check_batch, batch, rows, previous_id, previous_hash)
        if broken:
            return broken
        rows += len(batch)


def _check_batch(batch: list[AuditEvent], rows: int, previous_id: int,
                 previous_hash: str) -> tuple[ChainReport | None, int, str]:
    """(the first break in the batch or None, the last id and hash checked)."""
    for event in batch:
        rows += 1
        if event.id != previous_id + 1:
            return ChainReport(rows, event.id, f"row {previous_id + 1} is missing"), 0, ""
        if event.prev_hash != previous_hash:
            return ChainReport(rows, event.id, "does not follow the row before it"), 0, ""
        if _hash(_content_of(event)) != event.hash:
            return ChainReport(rows, event.id, "its content was changed"), 0, ""
        previous_hash, previous_id = event.hash, event.id
    return None, previous_id, previous_hash


async def _check_head(rows: int, last_id: int, last_hash: str) -> ChainReport:
    head = await AuditHead.get_or_none(id=_HEAD_ID)
    if head is None:
        if rows == 0:
            return ChainReport(rows=0)
        return ChainReport(rows, last_id, "the sealed head of the trail is missing")
    if not hmac.compare_digest(head.seal, _seal(head.last_id, head.last_hash)):
        return ChainReport(rows, head.last_id, "the seal on the head of the trail is wrong")
    if head.last_id != last_id or head.last_hash != last_hash:
        if head.last_id > last_id:
            return ChainReport(rows, last_id + 1, f"rows {last_id + 1} to {head.last_id} are missing")
        return ChainReport(rows, head.last_id, "the trail does not end where its seal says")
    return ChainReport(rows=rows)
