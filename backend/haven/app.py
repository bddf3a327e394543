"""create_app(): settings, sign-in cookies, the database, routes and response headers."""

from __future__ import annotations

import asyncio
import logging

from quart import Quart
from quart_auth import QuartAuth
from quart_schema import QuartSchema

from haven import __version__
from haven.accounts.routes import blueprint as accounts_blueprint
from haven.accounts.staff_routes import blueprint as staff_blueprint
from haven.alerts.routes import blueprint as alerts_blueprint
from haven.alerts.schedule import Scheduler
from haven.config import Settings, load_settings
from haven.db import close_database, open_database
from haven.diagnostics import install_state_dump, remove_state_dump
from haven.incidents.category_routes import blueprint as categories_blueprint
from haven.incidents.files import Store
from haven.incidents.offline_routes import blueprint as offline_blueprint
from haven.incidents.routes import blueprint as incidents_blueprint
from haven.reports.chronology_routes import blueprint as chronology_pdf_blueprint
from haven.keys import load_secret_key, load_service_keys
from haven.outbox.dispatcher import Dispatcher
from haven.pupils.routes import blueprint as pupils_blueprint
from haven.push.routes import blueprint as push_blueprint
from haven.reports.pattern_routes import blueprint as patterns_blueprint
from haven.pupils.roll import Rolls
from haven.reports.report_routes import blueprint as reports_blueprint
from haven.schools.routes import blueprint as schools_blueprint
from haven.web import request_costs, security
from haven.web.access import public
from haven.web.errors import register_error_handlers
from haven.web.health import blueprint as health_blueprint
from haven.web.shell import Shell
from haven.web.shell import blueprint as shell_blueprint

log = logging.getLogger("haven")


def create_app(settings: Settings | None = None, *, run_dispatcher: bool = True) -> Quart:
    settings = settings or load_settings()
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    app = Quart("haven", static_folder=None)
    app.secret_key = load_secret_key(settings.data_dir)
    load_service_keys(settings.data_dir)
    app.config.update(
        # The largest body, a submission with every file it may carry; web/security.py
        # holds every other route to max_request_mb.
        MAX_CONTENT_LENGTH=(settings.max_files * settings.max_file_mb
                            + settings.max_request_mb) * 1024 * 1024,
        # A submission is the JSON in 'data' and its files: nothing else in the form.
        MAX_FORM_PARTS=settings.max_files + 5,
        MAX_FORM_MEMORY_SIZE=256 * 1024,
        # Shell files revalidate every time (see web/security.py); the service worker caches.
        SEND_FILE_MAX_AGE_DEFAULT=None,
        QUART_AUTH_COOKIE_NAME=settings.cookie_name,
        QUART_AUTH_COOKIE_SECURE=settings.is_https,
        QUART_AUTH_COOKIE_SAMESITE="Strict",
        QUART_AUTH_COOKIE_HTTP_ONLY=True,
        # The cookie is only a pointer to a session row; the row holds the real limits.
        QUART_AUTH_DURATION=60 * 60 * 24,
        QUART_SCHEMA_CONVERT_CASING=False,
    )
    app.extensions["haven_settings"] = settings
    app.extensions["haven_shell"] = Shell.load()
    app.extensions["haven_rolls"] = Rolls()

    QuartAuth(app)
    QuartSchema(
        app,
        info={"title": "Haven", "version": __version__},
        openapi_path="/openapi.json",
        swagger_ui_path=None,
        redoc_ui_path=None,
        scalar_ui_path=None,
    )
    _declare_openapi_public(app)
    register_error_handlers(app)
    security.install(app, https=settings.is_https)
    request_costs.install(app)

    app.register_blueprint(accounts_blueprint)
    app.register_blueprint(staff_blueprint)
    app.register_blueprint(push_blueprint)
    app.register_blueprint(offline_blueprint)
    app.register_blueprint(schools_blueprint)
    app.register_blueprint(pupils_blueprint)
    app.register_blueprint(categories_blueprint)
    app.register_blueprint(incidents_blueprint)
    app.register_blueprint(chronology_pdf_blueprint)
    app.register_blueprint(alerts_blueprint)
    app.register_blueprint(patterns_blueprint)
    app.register_blueprint(reports_blueprint)
    app.register_blueprint(health_blueprint)
    app.register_blueprint(shell_blueprint)  # last: its catch-all serves the shell files

    dispatcher = Dispatcher(settings)
    app.extensions["haven_dispatcher"] = dispatcher
    scheduler = Scheduler(settings.public_url)

    housekeeping: list[asyncio.Task] = []

    @app.before_serving
    async def start() -> None:
        await open_database(settings.database_url)
        install_state_dump()
        if run_dispatcher:
            dispatcher.start()
            scheduler.start()
            housekeeping.append(asyncio.create_task(_sweep_files_daily(settings),
                                                    name="haven-file-sweep"))

    @app.after_serving
    async def stop() -> None:
        remove_state_dump()
        for task in housekeeping:
            task.cancel()
        await asyncio.gather(*housekeeping, return_exceptions=True)
        await scheduler.stop()
        await dispatcher.stop()
        await close_database()

    return app


async def _sweep_files_daily(settings: Settings) -> None:
    """Files left unrecorded by a stopped server are removed a minute after start, then
    daily (see Store.sweep_orphans)."""
    store = Store.of(settings)
    await asyncio.sleep(60)
    while True:
        try:
            if removed := await store.sweep_orphans():
                log.info("removed %d unrecorded file(s) from %s", removed, store.folder)
        except Exception:  # a full disk or a database hiccup: try again tomorrow
            log.exception("the sweep of unrecorded files failed")
        await asyncio.sleep(24 * 60 * 60)


def _declare_openapi_public(app: Quart) -> None:
    """quart-schema's /openapi.json gets an access rule like every other route: public,
    since it describes the API and holds nobody's data."""
    library_view = app.view_functions["openapi"]

    @public
    async def openapi(*args, **kwargs):
        return await library_view(*args, **kwargs)

    app.view_functions["openapi"] = openapi
