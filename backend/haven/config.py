"""Haven's settings: read once from HAVEN_* environment variables (or a .env file) and
validated at start, so a typo stops the server with a message naming the variable."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from haven.errors import ConfigError


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="HAVEN_", env_file=".env", extra="ignore", validate_default=True
    )

    data_dir: Path = Field(default=Path("data"), description="Database file, keys, uploads.")
    database_url: str = Field(
        default="",
        description="sqlite:///path or postgres://user:pass@host:5432/db; "
        "defaults to haven.sqlite3 in the data folder.",
    )
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="The address staff use. https:// turns on Secure __Host- cookies and HSTS.",
    )
    bind: str = Field(default="127.0.0.1:8000", description="Address haven serve listens on.")
    workers: int = Field(default=1, ge=1, le=64, description="Server processes (PostgreSQL only).")
    proxy_hops: int = Field(
        default=0, ge=0, le=5, description="Reverse proxies in front (1 behind Caddy)."
    )
    max_request_mb: int = Field(
        default=2, ge=1, le=100, description="Largest request body without attachments."
    )
    max_files: int = Field(
        default=10, ge=0, le=50, description="Files attached to one incident or action."
    )
    max_file_mb: int = Field(default=20, ge=1, le=200, description="Largest attached file.")
    hypercorn_config: str = Field(
        default="", description="TOML file of Hypercorn tuning (deploy/hypercorn.toml)."
    )
    sign_in_limit_per_address: int = Field(
        default=10, ge=1, le=100_000,
        description="Failed sign-ins from one address in 5 minutes before 429; raise it "
        "when all staff share one public address.",
    )
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    smtp_host: str = Field(default="", description="SMTP server; empty writes emails to the log.")
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = Field(default="Haven <haven@localhost>", description="From: of emails.")
    smtp_tls: Literal["starttls", "tls", "none"] = Field(
        default="starttls", description="starttls, tls (implicit, port 465) or none."
    )
    # Kept well under the outbox lease (2 minutes) so a slow send is never sent twice.
    smtp_timeout_seconds: float = Field(default=30, gt=0, le=60)
    vapid_subject: str = Field(
        default="mailto:haven@localhost", description="Contact for push services (mailto:/https:)."
    )
    push_endpoint_hosts: str = Field(
        default="", description="Push services' hosts that subscriptions may name; empty: "
        "the browsers' own.")
    push_ttl_hours: int = Field(
        default=24, ge=0, le=24 * 28, description="How long a push service keeps an alert "
        "for a device that is off.")
    outbox_poll_seconds: float = Field(
        default=5, gt=0, le=3600, description="How often the outbox looks for due messages."
    )
    outbox_max_attempts: int = Field(default=12, ge=1, le=100)

    @field_validator("public_url")
    @classmethod
    def _public_url_is_http(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http:// or https:// address, e.g. https://haven.school.uk")
        return value.rstrip("/")

    @field_validator("bind")
    @classmethod
    def _bind_is_host_port(cls, value: str) -> str:
        host, sep, port = value.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError("must be HOST:PORT, e.g. 127.0.0.1:8000")
        return value

    @field_validator("vapid_subject")
    @classmethod
    def _vapid_subject_is_contact(cls, value: str) -> str:
        if not (value.startswith("mailto:") and "@" in value) and not value.startswith("https://"):
            raise ValueError("must be a mailto: address or an https:// URL")
        return value

    @field_validator("push_endpoint_hosts")
    @classmethod
    def _hosts_are_names(cls, value: str) -> str:
        for host in (h.strip() for h in value.split(",") if h.strip()):
            name = host.removeprefix("*.")
            if not name or "/" in name or ":" in name or "*" in name or "@" in name:
                raise ValueError(f"'{host}' is not a host name: give names such as "
                                 "push.example.org or *.notify.windows.com, comma-separated")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url_is_supported(cls, value: str) -> str:
        if value and not value.startswith(("sqlite://", "postgres://", "postgresql://")):
            raise ValueError("must start with sqlite:// or postgres://")
        if value.startswith("postgresql://"):
            value = "postgres://" + value.removeprefix("postgresql://")
        return value

    @model_validator(mode="after")
    def _nothing_secret_in_clear(self) -> Settings:
        if not self.is_https and not _is_loopback(urlsplit(self.public_url).hostname or ""):
            raise ValueError(
                "HAVEN_PUBLIC_URL: use https:// for any address but this machine's own "
                "(127.0.0.1, localhost): staff passwords and sessions must not cross the "
                "network in clear (deploy/Caddyfile gives HTTPS with automatic certificates)"
            )
        if self.smtp_user and self.smtp_tls == "none" and not _is_loopback(self.smtp_host):
            raise ValueError(
                "HAVEN_SMTP_TLS: 'none' would send the SMTP password in clear to "
                f"{self.smtp_host}; use starttls or tls"
            )
        return self

    @model_validator(mode="after")
    def _uploads_fit_in_memory(self) -> Settings:
        # A submission is held in memory while it is checked.
        if self.max_files * self.max_file_mb > 1024:
            raise ValueError("HAVEN_MAX_FILES x HAVEN_MAX_FILE_MB must stay within 1024 MB")
        return self

    @model_validator(mode="after")
    def _one_worker_on_sqlite(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite://{(self.data_dir / 'haven.sqlite3').resolve()}"
        if self.workers > 1 and self.is_sqlite:
            raise ValueError(
                "HAVEN_WORKERS: SQLite allows one server process; use PostgreSQL for more"
            )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite://")

    @property
    def is_https(self) -> bool:
        return self.public_url.startswith("https://")

    @property
    def cookie_name(self) -> str:
        # The __Host- prefix makes the browser refuse the cookie unless it is Secure, has no
        # Domain and has Path=/: nothing on another subdomain can set or read it.
        return "__Host-haven" if self.is_https else "haven_session"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def load_settings(**overrides: object) -> Settings:
    """Read the settings; raises ConfigError with one line naming the bad variable."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        first = error.errors()[0]
        field = first["loc"][0] if first["loc"] else ""
        message = first["msg"].removeprefix("Value error, ")
        if message.startswith("HAVEN_"):
            raise ConfigError(message) from None
        variable = f"HAVEN_{str(field).upper()}" if field else "settings"
        raise ConfigError(f"{variable}: {message}") from None
