"""GET /healthz: for load balancers and monitoring. Says nothing about any school."""

from __future__ import annotations

from quart import Blueprint

from haven.db import ping
from haven.web.access import public

blueprint = Blueprint("health", __name__)


@blueprint.get("/healthz")
@public
async def healthz():
    try:
        await ping()
    except Exception:  # any failure to reach the database means "not healthy"
        return {"status": "unhealthy", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}, 200
