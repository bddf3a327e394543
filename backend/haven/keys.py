"""Secrets kept in the data folder: the cookie-signing key and the VAPID key pair for web
push. `haven init` makes them once and never overwrites them: replacing the secret key
would sign everyone out, and replacing the VAPID keys would orphan every push subscription."""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from haven.errors import ConfigError

SECRET_KEY_FILE = "secret_key"
VAPID_PRIVATE_KEY_FILE = "vapid_private_key.pem"
AUDIT_KEY_FILE = "audit_key"
TOTP_KEY_FILE = "totp_key"


def _write_private(path: Path, content: bytes) -> None:
    """Create a file readable by its owner only; refuse to replace an existing one."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(content)


def ensure_keys(data_dir: Path) -> list[str]:
    """Make whichever keys are missing; returns the names of the files created."""
    data_dir.mkdir(parents=True, exist_ok=True)
    created = []
    if not (data_dir / SECRET_KEY_FILE).exists():
        _write_private(data_dir / SECRET_KEY_FILE, secrets.token_urlsafe(64).encode())
        created.append(SECRET_KEY_FILE)
    if not (data_dir / AUDIT_KEY_FILE).exists():
        _write_private(data_dir / AUDIT_KEY_FILE, secrets.token_hex(32).encode())
        created.append(AUDIT_KEY_FILE)
    if not (data_dir / TOTP_KEY_FILE).exists():
        _write_private(data_dir / TOTP_KEY_FILE, secrets.token_hex(32).encode())
        created.append(TOTP_KEY_FILE)
    if not (data_dir / VAPID_PRIVATE_KEY_FILE).exists():
        key = ec.generate_private_key(ec.SECP256R1())
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        _write_private(data_dir / VAPID_PRIVATE_KEY_FILE, pem)
        created.append(VAPID_PRIVATE_KEY_FILE)
    return created


def _read(data_dir: Path, name: str) -> bytes:
    try:
        return (data_dir / name).read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            f"{data_dir / name} is missing: run `haven init` (HAVEN_DATA_DIR is {data_dir})"
        ) from None


def load_secret_key(data_dir: Path) -> str:
    return _read(data_dir, SECRET_KEY_FILE).decode().strip()


def load_audit_key(data_dir: Path) -> bytes:
    return _read(data_dir, AUDIT_KEY_FILE).strip()


def load_totp_key(data_dir: Path) -> bytes:
    return bytes.fromhex(_read(data_dir, TOTP_KEY_FILE).decode().strip())


def load_service_keys(data_dir: Path) -> None:
    """Give the services that need them their keys: the audit seal and the
    authenticator's encryption. Raises ConfigError naming a missing file."""
    from haven.accounts import totp
    from haven.audit.service import use_seal_key

    use_seal_key(load_audit_key(data_dir))
    totp.use_key(load_totp_key(data_dir))


def load_vapid_private_key(data_dir: Path) -> ec.EllipticCurvePrivateKey:
    return serialization.load_pem_private_key(_read(data_dir, VAPID_PRIVATE_KEY_FILE), None)


def vapid_public_key(data_dir: Path) -> str:
    """The application server key a browser needs for pushManager.subscribe (base64url)."""
    point = load_vapid_private_key(data_dir).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return base64.urlsafe_b64encode(point).rstrip(b"=").decode()
