"""One error shape for every failure: {"code": "UPPER_SNAKE", "message": "..."}.
Never a stack trace: unexpected errors are logged here and answered with a plain 500."""

from __future__ import annotations

import logging

from quart import Quart, Request, current_app, jsonify
from quart_schema import RequestSchemaValidationError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from haven.errors import APIError, HavenError

log = logging.getLogger("haven")

_HTTP_CODES = {
    400: ("BAD_REQUEST", "The request could not be understood."),
    401: ("UNAUTHENTICATED", "Please sign in."),
    403: ("FORBIDDEN", "You do not have access to that."),
    404: ("NOT_FOUND", "There is nothing at this address."),
    405: ("METHOD_NOT_ALLOWED", "This address does not accept that method."),
    408: ("REQUEST_TIMEOUT", "The request took too long to arrive."),
    413: ("PAYLOAD_TOO_LARGE", "The request is too large."),
    415: ("UNSUPPORTED_MEDIA_TYPE", "Send JSON with Content-Type: application/json."),
    429: ("TOO_MANY_REQUESTS", "Too many requests: wait a moment and try again."),
}


def _invalid_json() -> APIError:
    return APIError(400, "INVALID_JSON", "The request body is not valid JSON (UTF-8).")


class HavenRequest(Request):
    async def get_json(self, *args, **kwargs):
        # web/security.py refuses a declared length over the limit before anything is read;
        # a body that came without one (HTTP/2 may) is measured here, before it is parsed.
        limit = current_app.extensions["haven_settings"].max_request_mb * 1024 * 1024
        if len(await self.get_data(cache=True)) > limit:
            raise RequestEntityTooLarge()
        try:
            body = await super().get_json(*args, **kwargs)
        except UnicodeDecodeError:
            raise _invalid_json() from None
        # PostgreSQL cannot store NUL in text, and no field of Haven's has a use for it.
        if _contains_nul(body):
            raise APIError(400, "INVALID_JSON", "The request contains a NUL character (\\u0000).")
        return body

    def on_json_loading_failed(self, error: Exception):
        raise _invalid_json()


def _contains_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_contains_nul(k) or _contains_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_contains_nul(item) for item in value)
    return False


def error_response(status: int, code: str, message: str, headers: dict | None = None):
    response = jsonify({"code": code, "message": message})
    response.status_code = status
    response.headers.update(headers or {})
    return response


def _describe_validation(error: RequestSchemaValidationError) -> str:
    cause = error.validation_error
    if isinstance(cause, Exception) and hasattr(cause, "errors"):
        problems = []
        for item in cause.errors()[:5]:
            where = ".".join(str(part) for part in item.get("loc", ())) or "body"
            problems.append(f"{where}: {item.get('msg', 'is not valid')}")
        return "The request is not valid. " + "; ".join(problems) + "."
    return "The request body is not valid JSON of the expected shape."


def register_error_handlers(app: Quart) -> None:
    app.request_class = HavenRequest

    @app.errorhandler(APIError)
    async def api_error(error: APIError):
        return error_response(error.status, error.code, error.message, error.headers)

    @app.errorhandler(HavenError)
    async def haven_error(error: HavenError):
        # A rule of the domain refused the request (an unknown role, a taken slug ...).
        return error_response(400, "INVALID_REQUEST", error.message)

    @app.errorhandler(RequestSchemaValidationError)
    async def validation_error(error: RequestSchemaValidationError):
        return error_response(400, "VALIDATION_ERROR", _describe_validation(error))

    @app.errorhandler(HTTPException)
    async def http_error(error: HTTPException):
        status = error.code or 500
        code, message = _HTTP_CODES.get(status, ("HTTP_ERROR", error.description or ""))
        return error_response(status, code, message)

    @app.errorhandler(Exception)
    async def unexpected_error(error: Exception):
        log.exception("unexpected error", exc_info=error)
        return error_response(500, "INTERNAL_ERROR", "Something went wrong on the server.")
