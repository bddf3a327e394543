"""The one place Haven asks the time: always aware, always UTC."""

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)
