"""The ASGI application that Hypercorn's worker processes load: `haven.asgi:app`."""

import gc

from hypercorn.middleware import ProxyFixMiddleware

from haven.app import create_app
from haven.config import load_settings

settings = load_settings()
app = create_app(settings)
if settings.proxy_hops:
    # Behind Caddy (or another proxy) the client's address and scheme come from the
    # X-Forwarded-* headers that the trusted proxies add.
    app = ProxyFixMiddleware(app, mode="legacy", trusted_hops=settings.proxy_hops)

# Everything made at start (modules, routes, schemas) lives as long as the process: moved
# out of the garbage collector's sight, its full collections no longer walk it.
gc.freeze()
