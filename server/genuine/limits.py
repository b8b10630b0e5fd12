"""Rate limits (Flask-Limiter): per API key when a valid one is sent, else per IP address.

Each app gets its own Limiter (tests build many apps). Reads share the default
limit; the blueprints in `WRITE_BLUEPRINTS` also count POSTs against the stricter
write limit. Counters live in memory by default and in Redis when
GENUINE_REDIS_URL is set, so several workers share them. A limited request gets
429 with Retry-After.

When Redis stops answering, limits fail open to counting in memory, in each process
(Flask-Limiter's in-memory fallback): pages and lookups keep working, a warning is
logged, healthz shows `rate_limits` as degraded, and Redis is tried again with backoff.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Flask, current_app, g
from flask.logging import default_handler
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

# Seconds to wait for Redis before counting in memory instead.
REDIS_TIMEOUT = 2.0


def rate_key() -> str:
    key = getattr(g, "api_key", None)
    if key is not None:
        return f"key:{key.id}"
    return f"ip:{get_remote_address()}"


def init_app(app: Flask, write_blueprints: list[Blueprint]) -> None:
    config = app.config
    storage = config.get("RATELIMIT_STORAGE_URI") or config.get("REDIS_URL") or "memory://"
    config["RATELIMIT_STORAGE_URI"] = storage
    shared = not storage.startswith("memory://")
    limiter = Limiter(
        key_func=rate_key,
        default_limits=[lambda: current_app.config["RATE_LIMIT_READ"]],
        headers_enabled=True,
        storage_uri=storage,
        storage_options=(
            {"socket_connect_timeout": REDIS_TIMEOUT, "socket_timeout": REDIS_TIMEOUT}
            if storage.startswith(("redis://", "rediss://"))
            else {}
        ),
        in_memory_fallback_enabled=shared,
        key_prefix="genuine",
    )
    # Flask-Limiter logs the fall-back (and the recovery) on its own logger, which has
    # only a NullHandler: show it where the app's own log goes unless logging is set up.
    limiter_log = logging.getLogger("flask-limiter")
    if shared and not _has_real_handler(limiter_log):
        limiter_log.addHandler(default_handler)
    for blueprint in write_blueprints:
        limiter.limit(
            lambda: current_app.config["RATE_LIMIT_WRITE"], methods=["POST"], per_method=True
        )(blueprint)
    limiter.init_app(app)
    app.extensions["genuine.limiter"] = limiter


def _has_real_handler(logger: logging.Logger | None) -> bool:
    while logger is not None:
        if any(not isinstance(h, logging.NullHandler) for h in logger.handlers):
            return True
        logger = logger.parent if logger.propagate else None
    return False


def limits_problem(app: Flask | None = None) -> str | None:
    """None when the counters' storage answers, else the degraded state in words (healthz)."""
    limiter = (app or current_app).extensions["genuine.limiter"]
    if limiter.storage.check():
        return None
    return "degraded: Redis unreachable, limits are counted in memory in each process"
