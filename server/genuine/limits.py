"""Rate limits (Flask-Limiter): per API key when a valid one is sent, else per IP address.

Each app gets its own Limiter (tests build many apps). Reads share the default
limit; the blueprints in `WRITE_BLUEPRINTS` also count POSTs against the stricter
write limit. Counters live in memory by default and in Redis when
GENUINE_REDIS_URL is set, so several workers share them. A limited request gets
429 with Retry-After.
"""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address


def rate_key() -> str:
    key = getattr(g, "api_key", None)
    if key is not None:
        return f"key:{key.id}"
    return f"ip:{get_remote_address()}"


def init_app(app: Flask, write_blueprints: list[Blueprint]) -> None:
    config = app.config
    storage = config.get("RATELIMIT_STORAGE_URI") or config.get("REDIS_URL") or "memory://"
    config["RATELIMIT_STORAGE_URI"] = storage
    limiter = Limiter(
        key_func=rate_key,
        default_limits=[lambda: current_app.config["RATE_LIMIT_READ"]],
        headers_enabled=True,
        storage_uri=storage,
        key_prefix="genuine",
    )
    for blueprint in write_blueprints:
        limiter.limit(
            lambda: current_app.config["RATE_LIMIT_WRITE"], methods=["POST"], per_method=True
        )(blueprint)
    limiter.init_app(app)
    app.extensions["genuine.limiter"] = limiter


def identify() -> None:
    """Look up the API key (if any) before limits are counted, so they apply per key."""
    from genuine.api.auth import current_key

    if request.headers.get("X-API-Key"):
        g.api_key = current_key(required=False)
