"""The authenticator: TOTP codes (RFC 6238) that elevate a key holder's session.

- The secret is encrypted at rest (AES-GCM under data/totp_key, bound to the user's id).
- A code is accepted once: the step it belongs to is stored, and only a later step is
  accepted after it. The check-and-store is one conditional UPDATE, so two requests with
  the same code at the same moment cannot both succeed.
- Only the current and the previous 30-second step are accepted.
- Ten single-use recovery codes stand in for a lost phone; only their hashes are kept.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import os
import secrets
from dataclasses import dataclass

import pyotp
import segno
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from haven import clock
from haven.accounts.models import RecoveryCode, Session, User
from haven.errors import APIError, HavenError

ISSUER = "Haven"
STEP_SECONDS = 30
RECOVERY_CODES = 10
# NIST SP 800-63B 5.2.2: at most 100 wrong codes in a row, then the authenticator is
# suspended until an administrator resets it.
MAX_CONSECUTIVE_FAILURES = 100

_key: bytes | None = None


def use_key(key: bytes) -> None:
    """Set the encryption key (32 bytes from data/totp_key), once at start."""
    global _key
    if len(key) != 32:
        raise HavenError("the authenticator key must be 32 bytes (data/totp_key)")
    _key = key


def _aead() -> AESGCM:
    if _key is None:
        raise RuntimeError("the authenticator key is not loaded: call totp.use_key() at start")
    return AESGCM(_key)


def encrypt_secret(user_id: int, secret: str) -> str:
    nonce = os.urandom(12)
    sealed = _aead().encrypt(nonce, secret.encode(), f"user:{user_id}".encode())
    return base64.b64encode(nonce + sealed).decode()


def decrypt_secret(user_id: int, stored: str) -> str:
    raw = base64.b64decode(stored)
    return _aead().decrypt(raw[:12], raw[12:], f"user:{user_id}".encode()).decode()


def current_step() -> int:
    return int(clock.now().timestamp()) // STEP_SECONDS


def matching_step(secret: str, code: str) -> int | None:
    """The step (current or previous) whose code this is, or None."""
    code = code.strip().replace(" ", "")
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        return None
    generator = pyotp.TOTP(secret)
    now_step = current_step()
    for step in (now_step, now_step - 1):
        if hmac.compare_digest(generator.at(step * STEP_SECONDS), code):
            return step
    return None


def invalid_code() -> APIError:
    return APIError(400, "INVALID_CODE", "That code is not right, or has been used already.")


@dataclass(frozen=True)
class Enrolment:
    secret: str
    otpauth_uri: str
    qr_svg: str


def _qr_svg(uri: str) -> str:
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="svg", scale=4, border=2, xmldecl=False,
                                    svgns=True, title="Authenticator QR code")
    return out.getvalue().decode()


async def start_enrolment(user: User) -> Enrolment:
    """Make a new secret, kept as pending until a code confirms it. An authenticator
    already in use keeps working until then."""
    secret = pyotp.random_base32()
    await User.filter(id=user.id).update(totp_pending_secret=encrypt_secret(user.id, secret))
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    return Enrolment(secret=secret, otpauth_uri=uri, qr_svg=_qr_svg(uri))


def _hash_code(code: str) -> str:
    # Keyed with the authenticator key from the data folder: someone holding only the
    # database cannot try candidate codes against these hashes offline.
    if _key is None:
        raise RuntimeError("the authenticator key is not loaded: call totp.use_key() at start")
    normal = code.strip().replace("-", "").lower().encode()
    return hmac.new(_key, b"recovery-code:" + normal, hashlib.sha256).hexdigest()


def _new_recovery_code() -> str:
    # 50 random bits in base32, shown as xxxxx-xxxxx: easy to read out and type.
    raw = base64.b32encode(secrets.token_bytes(10)).decode().lower()[:10]
    return f"{raw[:5]}-{raw[5:]}"


async def confirm_enrolment(user: User, code: str) -> list[str]:
    """Activate the pending secret with a code from it; returns new recovery codes.

    Raises APIError 400 NO_ENROLMENT when nothing is pending, INVALID_CODE for a wrong code.
    """
    if not user.totp_pending_secret:
        raise APIError(400, "NO_ENROLMENT", "Start setting up the authenticator first.")
    step = matching_step(decrypt_secret(user.id, user.totp_pending_secret), code)
    if step is None:
        raise invalid_code()
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODES)]
    async with in_transaction():
        updated = await User.filter(id=user.id, totp_pending_secret=user.totp_pending_secret).update(
            totp_secret=user.totp_pending_secret,
            totp_pending_secret=None,
            totp_confirmed_at=clock.now(),
            totp_last_step=step,
        )
        if not updated:
            raise invalid_code()
        await RecoveryCode.filter(user_id=user.id).delete()
        await RecoveryCode.bulk_create(
            [RecoveryCode(user_id=user.id, code_hash=_hash_code(c)) for c in codes]
        )
    return codes


async def accept_code(user: User, code: str) -> str:
    """Accept a current authenticator code or an unused recovery code, once.

    Returns "authenticator" or "recovery_code"; raises APIError 400 INVALID_CODE.
    """
    if user.totp_secret is None:
        raise APIError(400, "NO_AUTHENTICATOR", "Set up the authenticator first.")
    if user.totp_failures >= MAX_CONSECUTIVE_FAILURES:
        raise APIError(403, "AUTHENTICATOR_SUSPENDED", "Too many wrong codes in a row: ask "
                       "an administrator to reset your authenticator.")
    step = matching_step(decrypt_secret(user.id, user.totp_secret), code)
    if step is not None:
        # Only one request can move the last step forward to this one.
        updated = await User.filter(id=user.id).filter(
            Q(totp_last_step=None) | Q(totp_last_step__lt=step)
        ).update(totp_last_step=step, totp_failures=0)
        if updated == 1:
            return "authenticator"
    elif len(code.strip().replace("-", "")) == 10:
        used = await RecoveryCode.filter(
            user_id=user.id, code_hash=_hash_code(code), used_at=None
        ).update(used_at=clock.now())
        if used == 1:
            await User.filter(id=user.id).update(totp_failures=0)
            return "recovery_code"
    await User.filter(id=user.id).update(totp_failures=F("totp_failures") + 1)
    raise invalid_code()


async def remove(user: User) -> None:
    """Remove the authenticator; sessions it elevated are elevated no longer."""
    async with in_transaction():
        await User.filter(id=user.id).update(
            totp_secret=None, totp_pending_secret=None, totp_confirmed_at=None,
            totp_last_step=None, totp_failures=0,
        )
        await RecoveryCode.filter(user_id=user.id).delete()
        await Session.filter(user_id=user.id).update(elevated_until=None)
