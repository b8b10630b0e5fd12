"""Rate limits (Flask-Limiter): per API key when a valid one is sent, else per IP address.

Who a request is counted as is settled when the limit is checked, before any view or
blueprint hook runs: `init_app` takes the function that finds the request's API key.

Each app gets its own Limiter (tests build many apps). Reads share the default
limit; the blueprints in `WRITE_BLUEPRINTS` also count POSTs against the stricter
write limit. Counters live in memory by default and in Redis when
GENUINE_REDIS_URL is set, so several workers share them. A limited request gets
429 with Retry-After.

When Redis stops answering, limits fail open to counting in memory, in each process
(Flask-Limiter's in-memory fallback): pages and lookups keep working, a warning is
logged, healthz shows `rate_limits` as degraded, and Redis is tried again with backoff.

In memory (the default, and the fallback) counters are kept by `SweptMemoryStorage`:
limits' own MemoryStorage starts a `threading.Timer` on nearly every hit to expire old
windows, about one thread per lookup under load (issue 16 profile). Ours expires lazily:
a key's window is checked when it is read, and expired keys are swept at most once a
second, inline, so the cost of a hit does not grow with the request rate.

Badge reads (the extension's every page view, the API's hot path) are counted by
`ReadLimit`: one fixed-window hit against the same limit, key, storage and headers as
Flask-Limiter's default limit would use, without its per-request limit resolution,
exemption scopes and contexts (a fifth of a lookup's CPU, issue 16 profile). While the
storage is unreachable they go back through Flask-Limiter, which counts in memory and
probes Redis again with backoff.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import partial, wraps

from flask import Blueprint, Flask, Response, current_app, g, request
from flask.logging import default_handler
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import STRATEGIES
from werkzeug.exceptions import TooManyRequests

# Endpoints counted by ReadLimit: the badges blueprint (GET one card or a range, the batch
# lookup, private mode's ranges).
BADGE_READS = frozenset(
    f"api.badges.{view}" for view in ("card", "lookup", "by_range", "by_ranges")
)
KEY_PREFIX = "genuine"
# Seconds to wait for Redis before counting in memory instead.
REDIS_TIMEOUT = 2.0
# Seconds between two sweeps of expired in-memory counters.
SWEEP_EVERY = 1.0


class SweptMemoryStorage(MemoryStorage):
    """limits' in-memory storage for fixed windows, without a timer thread per hit."""

    STORAGE_SCHEME = "genuine-memory"  # registers the scheme with limits

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._swept_at = time.time()

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        if now - self._swept_at >= SWEEP_EVERY:
            self._sweep(now)
        self.get(key)  # drops the key when its window has ended
        with self.locks[key]:
            self.storage[key] += amount
            if self.storage[key] == amount:
                self.expirations[key] = now + expiry
        return self.storage.get(key, 0)

    def decr(self, key: str, amount: int = 1) -> int:
        self.get(key)
        with self.locks[key]:
            self.storage[key] = max(self.storage[key] - amount, 0)
        return self.storage.get(key, 0)

    def _sweep(self, now: float) -> None:
        self._swept_at = now
        for key, ends in list(self.expirations.items()):
            if ends <= now:
                self.storage.pop(key, None)
                self.expirations.pop(key, None)
                self.locks.pop(key, None)


def key_function(api_key: Callable[[], object | None]) -> Callable[[], str]:
    """`key:<id>` for a request with a valid X-API-Key (`api_key()` finds it), else `ip:<addr>`."""

    def rate_key() -> str:
        if "X-API-Key" in request.headers:
            key = api_key()
            if key is not None:
                return f"key:{key.id}"
        return f"ip:{get_remote_address()}"

    return rate_key


def init_app(
    app: Flask, write_blueprints: list[Blueprint], api_key: Callable[[], object | None]
) -> None:
    config = app.config
    storage = config.get("RATELIMIT_STORAGE_URI") or config.get("REDIS_URL") or "memory://"
    config["RATELIMIT_STORAGE_URI"] = storage
    shared = not storage.startswith("memory://")
    rate_key = key_function(api_key)
    limiter = Limiter(
        key_func=rate_key,
        default_limits=[lambda: current_app.config["RATE_LIMIT_READ"]],
        headers_enabled=True,
        storage_uri=storage if shared else "genuine-memory://",
        storage_options=(
            {"socket_connect_timeout": REDIS_TIMEOUT, "socket_timeout": REDIS_TIMEOUT}
            if storage.startswith(("redis://", "rediss://"))
            else {}
        ),
        in_memory_fallback_enabled=shared,
        key_prefix=KEY_PREFIX,
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
    reads = ReadLimit(limiter, rate_key)
    app.before_request(reads.check)  # before Flask-Limiter's own check, registered next
    limiter.init_app(app)
    # Flask-Limiter's hooks cost even when they find nothing to count: they are skipped
    # outright for what ReadLimit counted (none are registered when RATELIMIT_ENABLED is off).
    _skip_when_counted(app.before_request_funcs, limiter._check_request_limit)
    _skip_when_counted(app.after_request_funcs, _headers_hook(app))
    _skip_when_counted(app.teardown_request_funcs, limiter._Limiter__release_context)
    app.after_request(reads.headers)
    if limiter._fallback_limiter is not None:  # the fallback is MemoryStorage() hard-wired
        limiter._fallback_storage = SweptMemoryStorage()
        limiter._fallback_limiter = STRATEGIES[limiter._strategy](limiter._fallback_storage)
    app.extensions["genuine.limiter"] = limiter


class ReadLimit:
    """The read limit of badge reads: one hit a request, and Flask-Limiter's headers.

    Counts under the key Flask-Limiter gives a default limit (prefix, its key function's
    answer, the endpoint), so counters carry over between the two paths. Answers 429 with
    Retry-After through the app's problem handler, as Flask-Limiter's RateLimitExceeded does.
    """

    def __init__(self, limiter: Limiter, rate_key: Callable[[], str]) -> None:
        self.limiter = limiter
        self.rate_key = rate_key
        self._items: dict[str, list[RateLimitItem]] = {}

    def items(self) -> list[RateLimitItem]:
        text = current_app.config["RATE_LIMIT_READ"]
        found = self._items.get(text)
        if found is None:
            found = self._items[text] = sorted(parse_many(text))  # shortest window first
        return found

    def check(self) -> None:
        limiter = self.limiter
        if request.endpoint not in BADGE_READS or not limiter.enabled or limiter._storage_dead:
            return  # Flask-Limiter's path: other endpoints, and the in-memory fallback
        args = (KEY_PREFIX, self.rate_key(), request.endpoint)
        try:
            refused = [item for item in self.items() if not limiter.limiter.hit(item, *args)]
        except Exception:
            if not limiter._in_memory_fallback_enabled:
                raise
            limiter.logger.warning(
                "Rate limit storage unreachable - falling back to in-memory storage"
            )
            limiter._storage_dead = True  # Flask-Limiter counts this request, in memory
            return
        g.read_limit = (refused[0] if refused else self.items()[0], args)
        if refused:
            limiter.logger.info("ratelimit %s (%s) exceeded at endpoint: %s", refused[0], *args[1:])
            raise TooManyRequests(description=str(refused[0]))

    def headers(self, response: Response) -> Response:
        """X-RateLimit-Limit, -Remaining, -Reset and Retry-After, as Flask-Limiter sets them
        (for the limit refused, else the one of shortest window)."""
        counted = g.get("read_limit")
        if counted is None:
            return response
        item, args = counted
        try:
            reset, remaining = self.limiter.limiter.get_window_stats(item, *args)
        except Exception:  # the answer stands; the next request finds the storage down
            self.limiter.logger.warning("Rate limit storage unreachable: no rate-limit headers")
            return response
        reset_at = int(reset + 1)
        response.headers.add("X-RateLimit-Limit", str(item.amount))
        response.headers.add("X-RateLimit-Remaining", str(remaining))
        response.headers.add("X-RateLimit-Reset", str(reset_at))
        waited = response.headers.get("Retry-After")
        if waited is not None and waited.isdigit():  # a 503's own Retry-After
            reset_at = max(int(time.time() + int(waited)), reset_at)
        response.headers.set("Retry-After", str(int(reset_at - time.time())))
        return response


def _headers_hook(app: Flask) -> Callable | None:
    """Flask-Limiter's after-request hook (a partial of its private __inject_headers)."""
    for hook in app.after_request_funcs.get(None, []):
        if isinstance(hook, partial) and hook.func is Limiter._Limiter__inject_headers:
            return hook
    return None


def _skip_when_counted(hooks: dict[str | None, list[Callable]], hook: Callable | None) -> None:
    """Run one of Flask-Limiter's app-wide hooks only for requests ReadLimit left to it.

    A skipped after-request hook hands the response on; a skipped before-request hook
    returns None (the request goes on); a teardown's answer is ignored by Flask.
    """
    found = hooks.get(None, [])
    if hook is None or hook not in found:
        return

    @wraps(hook)
    def unless_counted(*args):
        if "read_limit" in g:
            return args[0] if args else None
        return hook(*args)

    found[found.index(hook)] = unless_counted


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
