"""GET /healthz and GET /livez: for load balancers and monitoring. Say nothing about any
school.

/livez only says the process is up and answering (a liveness probe: restart it if not);
it touches no database, so a database outage never gets a healthy server restarted.
/healthz also checks the database (readiness: send it traffic or not)."""

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


@blueprint.get("/livez")
@public
async def livez():
    return {"status": "ok"}, 200
