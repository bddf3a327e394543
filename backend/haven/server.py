"""Running Haven under Hypercorn, in this process or in several worker processes."""

from __future__ import annotations

import logging

from hypercorn.config import Config
from hypercorn.run import run

from haven.config import Settings
from haven.errors import ConfigError


def hypercorn_config(settings: Settings) -> Config:
    """Tuning from HAVEN_HYPERCORN_CONFIG (a TOML file, see deploy/hypercorn.toml), with
    the address and the number of processes always from Haven's own settings, so the
    one-process rule for SQLite cannot be sidestepped."""
    if settings.hypercorn_config:
        try:
            config = Config.from_toml(settings.hypercorn_config)
        except (OSError, ValueError) as error:
            raise ConfigError(f"HAVEN_HYPERCORN_CONFIG: cannot read it: {error}") from None
    else:
        config = Config()
        # Through Haven's own log handler (one line each, not two), and without query
        # strings: they may hold search terms about children.
        config.accesslog = logging.getLogger("hypercorn.access")
        config.errorlog = logging.getLogger("hypercorn.error")
        config.access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(D)s'
        config.include_server_header = False
    config.bind = [settings.bind]
    config.application_path = "haven.asgi:app"
    # Hypercorn's 0 means "serve in this process", which is what one worker should do.
    config.workers = settings.workers if settings.workers > 1 else 0
    config.max_app_queue_size = 10
    return config


def serve(settings: Settings) -> int:
    """Serve until stopped; returns Hypercorn's exit status (non-zero when a worker died)."""
    return run(hypercorn_config(settings))
