"""The one place Haven asks the time: always aware, always UTC.

Code calls `clock.now()` (not a name imported from here) so that tests can freeze it.
"""

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)
