"""Headers every response carries, the check that refuses cross-site writes, and the limits
on what a request may send."""

from __future__ import annotations

from urllib.parse import urlsplit

from quart import Quart, Response, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from haven.errors import APIError

CSRF_HEADER = "X-Requested-With"
CSRF_VALUE = "haven"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data: blob:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)


def _csrf_refusal() -> APIError:
    return APIError(403, "CSRF", "This request was refused: it did not come from Haven itself.")


def check_same_origin_write() -> None:
    """Refuse state-changing API requests that a cross-site page could have sent.

    A cross-site form cannot set a custom header, and browsers mark cross-site requests
    with Sec-Fetch-Site and Origin; either sign of another site is enough to refuse.
    """
    if request.method in SAFE_METHODS or not request.path.startswith("/api/"):
        return
    if request.headers.get(CSRF_HEADER) != CSRF_VALUE:
        raise _csrf_refusal()
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        raise _csrf_refusal()
    origin = request.headers.get("Origin")
    if origin and origin != "null":
        parts = urlsplit(origin)
        if parts.netloc != request.host:
            raise _csrf_refusal()
    elif origin == "null":
        raise _csrf_refusal()


ACCEPTED_BODIES = ("application/json", "multipart/form-data")


def check_body_type() -> None:
    """API writes carry JSON (or, for attachments, multipart form data): anything else is
    refused with 415 before a view tries to read it."""
    if request.method in SAFE_METHODS or not request.path.startswith("/api/"):
        return
    if request.mimetype and request.mimetype not in ACCEPTED_BODIES:
        raise APIError(
            415, "UNSUPPORTED_MEDIA_TYPE", "Send the body as JSON (Content-Type: application/json)."
        )


# A submission's photos over a slow mobile connection: 200 MB at 5 Mbit/s is 5 minutes.
UPLOAD_TIMEOUT_SECONDS = 15 * 60


def limit_body_size() -> None:
    """How large a body may be. A signed-in person's multipart submission to a route that
    takes files (web/submissions.py) may carry every file it is allowed, which is the app's
    MAX_CONTENT_LENGTH, and is given time to arrive; every other body, JSON to those routes
    included, is held to HAVEN_MAX_REQUEST_MB. Bodies must say their length: a chunked one
    could only be measured by holding all of it first."""
    if request.method in SAFE_METHODS:
        return
    config = current_app.extensions["haven_settings"]
    view = current_app.view_functions.get(request.endpoint)
    if (getattr(view, "haven_takes_files", False) and request.mimetype == "multipart/form-data"
            and request.cookies.get(config.cookie_name)):
        request.body_timeout = UPLOAD_TIMEOUT_SECONDS
        return  # Quart holds it to MAX_CONTENT_LENGTH as it arrives
    if request.content_length is None:
        if "chunked" in request.headers.get("Transfer-Encoding", "").lower():
            raise APIError(411, "LENGTH_REQUIRED", "Send the body with a Content-Length.")
        return  # no body
    if request.content_length > config.max_request_mb * 1024 * 1024:
        raise RequestEntityTooLarge()


def add_security_headers(response: Response, *, https: bool) -> Response:
    headers = response.headers
    headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "no-referrer"
    headers["X-Frame-Options"] = "DENY"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(self), microphone=(), geolocation=(), payment=()"
    if https:
        headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
    if request.path.startswith("/api/"):
        # Personal data must never sit in a browser's or a proxy's cache.
        headers["Cache-Control"] = "no-store"
        headers.pop("Expires", None)
        headers.pop("Last-Modified", None)
        headers.pop("ETag", None)
    else:
        # The service worker keeps the shell; the HTTP cache must always revalidate, so a
        # new version is seen at once.
        headers["Cache-Control"] = "no-cache"
    return response


def install(app: Quart, *, https: bool) -> None:
    app.before_request(check_same_origin_write)
    app.before_request(check_body_type)
    app.before_request(limit_body_size)

    @app.after_request
    async def security_headers(response: Response) -> Response:
        return add_security_headers(response, https=https)
