"""``GET /xrpc/com.atproto.label.queryLabels``: the label log as the lexicon serves it.

Answers follow XRPC, not this API's problem+json: errors are ``{"error", "message"}`` with
400 ``InvalidRequest`` (bad parameters) or 501 ``MethodNotImplemented`` (no labeler
configured: set ``GENUINE_LABELER_DID``); werkzeug's and the rate limiter's errors get the
same shape (``http_error``, also used by ``appeals``). Rows are returned in ``seq`` order,
negations and renewals included, as the reference labeler (Ozone) does; the cursor is the
last ``seq`` returned. A pattern is a full URI, or a prefix ending in ``*`` that matches every
URI starting with what precedes it (``*`` alone matches all); ``*`` anywhere else is refused.
"""

from __future__ import annotations

import base64
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from genuine.db import get_db
from genuine.labeler.emit import LABEL, published

bp = Blueprint("labeler_xrpc", __name__, url_prefix="/xrpc")

LIMIT_DEFAULT, LIMIT_MAX = 50, 250
PATTERN_MAX = 2048  # URIs are at most 8 KiB in atproto; DIDs at most 2 KiB
PATTERNS_MAX = 100


class XrpcError(Exception):
    def __init__(self, message: str, status: int = 400, error: str = "InvalidRequest"):
        super().__init__(message)
        self.status, self.error, self.message = status, error, message


# XRPC error names for HTTP errors raised outside a view (body too big, rate limit, ...).
HTTP_ERRORS = {400: "InvalidRequest", 413: "PayloadTooLarge", 429: "RateLimitExceeded"}


@bp.errorhandler(XrpcError)
def xrpc_error(exc: XrpcError):
    return jsonify(error=exc.error, message=exc.message), exc.status


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException):
    """Werkzeug's and Flask-Limiter's errors in the XRPC shape (headers such as
    Retry-After are added by the limiter after the handler)."""
    status = exc.code or 500
    error = HTTP_ERRORS.get(status, "InternalServerError" if status >= 500 else "InvalidRequest")
    return jsonify(error=error, message=exc.description or exc.name), status


def as_json(label: dict[str, Any]) -> dict[str, Any]:
    """atproto JSON data model: bytes become ``{"$bytes": base64 without padding}``."""
    sig = base64.b64encode(label["sig"]).decode().rstrip("=")
    return {**label, "sig": {"$bytes": sig}}


def _uri_condition(patterns: list[str]):
    if not patterns:
        raise XrpcError("uriPatterns is required")
    if len(patterns) > PATTERNS_MAX:
        raise XrpcError(f"at most {PATTERNS_MAX} uriPatterns")
    exact, clauses = [], []
    for pattern in patterns:
        if not pattern or len(pattern) > PATTERN_MAX:
            raise XrpcError(f"each uriPattern must be 1 to {PATTERN_MAX} characters")
        if "*" in pattern[:-1]:
            raise XrpcError(f"invalid pattern (a '*' may only end it): {pattern[:100]}")
        if pattern == "*":
            return sa.true()
        if pattern.endswith("*"):
            prefix = pattern[:-1].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            clauses.append(LABEL.c.uri.like(prefix + "%", escape="\\"))
        else:
            exact.append(pattern)
    if exact:
        clauses.append(LABEL.c.uri.in_(exact))
    return sa.or_(*clauses)


def _int(name: str, low: int, high: int | None, default: int | None) -> int | None:
    text = request.args.get(name)
    if text is None:
        return default
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise XrpcError(f"{name} must be a whole number")
    value = int(text)
    if value < low or (high is not None and value > high):
        raise XrpcError(f"{name} must be between {low} and {high}" if high else f"bad {name}")
    return value


@bp.get("/com.atproto.label.queryLabels")
def query_labels():
    if not current_app.config.get("LABELER_DID"):
        raise XrpcError("this Genuine instance runs no labeler", 501, "MethodNotImplemented")
    condition = _uri_condition(request.args.getlist("uriPatterns"))
    limit = _int("limit", 1, LIMIT_MAX, LIMIT_DEFAULT)
    cursor = _int("cursor", 0, None, 0)
    query = sa.select(LABEL).where(condition, LABEL.c.seq > cursor)
    sources = request.args.getlist("sources")
    for source in sources:
        if not source.startswith("did:") or len(source) > PATTERN_MAX:
            raise XrpcError(f"sources must be DIDs: {source[:100]}")
    if sources:
        query = query.where(LABEL.c.src.in_(sources))
    # One SELECT needs no transaction: on PostgreSQL AUTOCOMMIT saves the BEGIN and ROLLBACK
    # round trips (bench/labeler.py); on SQLite the isolation switch costs more than it saves.
    engine = get_db().engine
    options = {"isolation_level": "AUTOCOMMIT"} if engine.dialect.name == "postgresql" else {}
    with engine.connect().execution_options(**options) as conn:
        rows = list(conn.execute(query.order_by(LABEL.c.seq).limit(limit)))
    body: dict[str, Any] = {"labels": [as_json(published(r)) for r in rows]}
    if len(rows) == limit:
        body["cursor"] = str(rows[-1].seq)
    return jsonify(body)
