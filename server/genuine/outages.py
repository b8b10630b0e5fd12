"""When a service Genuine needs is down: say so in one line, answer 503, never a 500.

`describe(exc)` turns an exception from the database or Redis into an `Outage` (which
service, what is wrong in words) or None when the exception is a bug, not an outage.
The same description serves the API (problem+json with Retry-After), the HTML pages
(a plain error page that needs neither service) and the command line (one line, exit 1).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import click
import sqlalchemy as sa
from flask import Flask, Response, request
from werkzeug.exceptions import ServiceUnavailable

from genuine.problems import PREFIX, problem_response

try:  # Redis is an optional extra (genuine[redis])
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    REDIS_ERRORS: tuple[type[Exception], ...] = (RedisConnectionError, RedisTimeoutError)
except ImportError:  # pragma: no cover - without the extra nothing can raise them
    REDIS_ERRORS = ()

log = logging.getLogger("genuine.outages")

# Seconds a client is asked to wait before trying again.
RETRY_AFTER = 30

# PostgreSQL SQLSTATE classes and codes that mean "the server cannot take this now".
_PG_STATES = {
    "08": "unreachable",  # connection exception
    "53": "out of resources (disk full, memory or connections)",
    "57P01": "shutting down",
    "57P02": "shutting down",
    "57P03": "starting up",
    "25006": "read-only",  # read_only_sql_transaction
    "40001": "busy",  # serialization failure
    "40P01": "busy",  # deadlock detected
    "55P03": "busy",  # lock not available
}
# SQLite result codes (sqlite3 errors carry `sqlite_errorname`; extended codes add a suffix).
_SQLITE_CODES = {
    "SQLITE_READONLY": "read-only",
    "SQLITE_FULL": "full (no space left)",
    "SQLITE_BUSY": "busy",
    "SQLITE_LOCKED": "busy",
    "SQLITE_CANTOPEN": "unreachable",
    "SQLITE_IOERR": "failing (I/O error)",
}


@dataclass(frozen=True)
class Outage:
    service: str  # "database" or "Redis"
    state: str  # "unreachable", "read-only", ...
    reason: str = ""  # the driver's first line: for logs and the command line, not for clients

    def line(self, reason: bool = False) -> str:
        if self.state == "read-only":
            text = f"the {self.service} is read-only: nothing can be saved until it is writable"
        elif self.service == "Redis":
            text = f"Redis (the job queue) is {self.state}"
        else:
            text = f"the {self.service} is {self.state}"
        return f"{text} ({self.reason})" if reason and self.reason else text


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [exc.__class__.__name__])[0]


def describe(exc: BaseException) -> Outage | None:
    """The outage behind `exc`, or None when `exc` is not one (a bug: let it be a 500)."""
    if REDIS_ERRORS and isinstance(exc, REDIS_ERRORS):
        return Outage("Redis", "unreachable", _first_line(exc))
    if isinstance(exc, sa.exc.TimeoutError):  # every pooled connection in use
        return Outage("database", "busy", _first_line(exc))
    if not isinstance(exc, sa.exc.DBAPIError):
        return None
    original = exc.orig
    reason = _first_line(original or exc)
    state = getattr(original, "sqlstate", None)
    if state:
        for key in (state, state[:2]):
            if key in _PG_STATES:
                return Outage("database", _PG_STATES[key], reason)
        return None
    code = getattr(original, "sqlite_errorname", None)
    if code:
        for name, words in _SQLITE_CODES.items():
            if code == name or code.startswith(name + "_"):
                return Outage("database", words, reason)
        return None
    if exc.connection_invalidated or isinstance(
        exc, sa.exc.OperationalError | sa.exc.InterfaceError
    ):  # psycopg without a SQLSTATE: no connection to the server
        return Outage("database", "unreachable", reason)
    return None


def unavailable_response(outage: Outage) -> Response:
    """503 with Retry-After: problem+json under the API, a plain page elsewhere."""

    detail = f"{outage.line()}; try again later"
    if request.path.startswith(PREFIX):
        response = problem_response(503, "unavailable", detail, service=outage.service)
    else:
        # A page that needs neither the database nor templates that read the signed-in user.
        response = ServiceUnavailable(description=f"Sorry: {detail}.").get_response()
    response.headers["Retry-After"] = str(RETRY_AFTER)
    return response


def init_app(app: Flask) -> None:
    def handle(exc: Exception):
        outage = describe(exc)
        if outage is None:
            raise exc
        log.warning(
            "%s %s answered 503: %s", request.method, request.path, outage.line(reason=True)
        )
        return unavailable_response(outage)

    app.register_error_handler(sa.exc.DBAPIError, handle)
    app.register_error_handler(sa.exc.TimeoutError, handle)
    for error in REDIS_ERRORS:
        app.register_error_handler(error, handle)


class Unavailable(click.ClickException):
    """A command that cannot reach a service: one line on stderr, exit status 1."""

    exit_code = 1

    def show(self, file=None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


def for_cli(exc: BaseException) -> Unavailable | None:
    """The one line a command prints for an outage, or None when `exc` is not one."""
    outage = describe(exc)
    return None if outage is None else Unavailable(outage.line(reason=True))
