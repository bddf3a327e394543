"""The errors Haven raises on purpose. Clients only ever see {"code", "message"}."""

from __future__ import annotations


class HavenError(Exception):
    """Something the user (or the operator) can act on, with a readable message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(HavenError):
    """A HAVEN_* setting is missing or wrong; the message names the variable."""


class APIError(HavenError):
    """An answer to an HTTP client: a status, an UPPER_SNAKE code and a message."""

    def __init__(self, status: int, code: str, message: str, headers: dict | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.headers = headers or {}


class NotFound(APIError):
    def __init__(self, what: str = "That") -> None:
        super().__init__(404, "NOT_FOUND", f"{what} was not found.")


class Forbidden(APIError):
    def __init__(self, message: str = "You do not have access to that.") -> None:
        super().__init__(403, "FORBIDDEN", message)


class Conflict(APIError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(409, code, message)


class ElevationRequired(APIError):
    """A key holder's or administrator's session must be elevated with the authenticator
    first: the app asks for a code and tries again."""

    def __init__(self) -> None:
        super().__init__(403, "ELEVATION_REQUIRED",
                         "Enter a code from your authenticator to see this.")
