"""Password hashing with argon2id. Hashing takes tens of milliseconds of CPU on purpose,
so it always runs in a thread: the event loop keeps serving other requests meanwhile."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# argon2-cffi's defaults are RFC 9106's second recommended profile (argon2id, 64 MiB,
# 3 passes, 4 lanes).
_hasher = PasswordHasher()
# Checked against when the email is unknown, so both answers take the same time.
_DUMMY_HASH = _hasher.hash("not a real password, only here to spend the same time")


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches; a missing hash costs the same time and is False."""
    matches = await asyncio.to_thread(_verify, password_hash or _DUMMY_HASH, password)
    return matches and password_hash is not None


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
