"""Password hashing with argon2id. Hashing takes tens of milliseconds of CPU on purpose,
so it always runs in a thread: the event loop keeps serving other requests meanwhile."""

from __future__ import annotations

import asyncio
import functools
import os
import threading
from concurrent.futures import ThreadPoolExecutor
import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# argon2-cffi's defaults are RFC 9106's second recommended profile (argon2id, 64 MiB,
# 3 passes, 4 lanes).
_hasher = PasswordHasher()
# Checked against when the email is unknown, so both answers take the same time.
_DUMMY_HASH = _hasher.hash("not a real password, only here to spend the same time")
# Each hash takes 64 MiB: a burst of sign-ins must queue for the cores, not run 32 at once.
# A thread semaphore, so it is bound to no event loop.
_hashing_slots = threading.BoundedSemaphore(os.cpu_count() or 2)


def _limited(function, *args):
    with _hashing_slots:
        return function(*args)


# Hashing has threads of its own: in asyncio's shared pool, other work holding every
# thread (a slow file write, a name lookup) would keep everyone from signing in.
_hashing_threads = ThreadPoolExecutor(max_workers=os.cpu_count() or 2,
                                      thread_name_prefix="haven-argon2")


async def _in_thread(function, *args):
    return await asyncio.get_running_loop().run_in_executor(
        _hashing_threads, functools.partial(_limited, function, *args))


def _normalised(password: str) -> str:
    # NIST SP 800-63B: normalise Unicode before hashing, so "é" typed as one character on
    # an iPad and as e + accent on a desktop keyboard is the same password.
    return unicodedata.normalize("NFKC", password)


async def hash_password(password: str) -> str:
    return await _in_thread(_hasher.hash, _normalised(password))


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches; a missing hash costs the same time and is False."""
    matches = await _in_thread(_verify, password_hash or _DUMMY_HASH, _normalised(password))
    return matches and password_hash is not None


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
