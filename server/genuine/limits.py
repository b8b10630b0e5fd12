"""Rate limits (Flask-Limiter): per API key when a valid one is sent, else per IP address.

Counters live in memory by default and in Redis when GENUINE_REDIS_URL is set, so
several workers share them. A limited request gets 429 with Retry-After.
"""

from __future__ import annotations

from flask import Flask, g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address


def rate_key() -> str:
    key = getattr(g, "api_key", None)
    if key is not None:
        return f"key:{key.id}"
    return f"ip:{get_remote_address()}"


limiter = Limiter(key_func=rate_key, headers_enabled=True)


def init_app(app: Flask) -> None:
    config = app.config
    config.setdefault("RATELIMIT_DEFAULT", config["RATE_LIMIT_READ"])
    if not config.get("RATELIMIT_STORAGE_URI"):
        config["RATELIMIT_STORAGE_URI"] = config.get("REDIS_URL") or "memory://"
    limiter.init_app(app)


def write_limit() -> str:
    from flask import current_app

    return current_app.config["RATE_LIMIT_WRITE"]


def identify() -> None:
    """Look up the API key (if any) before limits are counted, so they apply per key."""
    from genuine.api.auth import current_key

    if request.headers.get("X-API-Key"):
        g.api_key = current_key(required=False)
