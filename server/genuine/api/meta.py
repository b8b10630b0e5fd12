"""What a client needs to know before asking, and whether the service is healthy."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify
from spectree import Response as Responses

from genuine.api import spec
from genuine.api.badges import current_prefix_length
from genuine.api.schemas import Health, Meta, ProblemModel
from genuine.cards.build import model_version
from genuine.db import get_db, schema_problem, write_problem
from genuine.handles import PLATFORMS
from genuine.jetstream.status import Lag, lag
from genuine.limits import limits_problem
from genuine.outages import RETRY_AFTER
from genuine.pipeline import queue_problem
from genuine.problems import problem_response

bp = Blueprint("meta", __name__)


@bp.get("/meta")
@spec.validate(resp=Responses(HTTP_200=Meta), tags=["meta"], skip_validation=True)
def meta():
    """Prefix length for private lookups, platforms, model version and limits."""
    config = current_app.config
    length = current_prefix_length()
    return jsonify(
        prefix_length=length,
        platforms=list(PLATFORMS),
        model_version=model_version(),
        limits={"lookup_batch": 100, "range_prefix_min": length},
        cards=current_app.extensions["genuine.card_count"].get(get_db().engine),
        synthetic=bool(config["SYNTHETIC_DATA"]),
    )


@bp.get("/healthz")
@spec.validate(
    resp=Responses(HTTP_200=Health, HTTP_503=ProblemModel), tags=["meta"], skip_validation=True
)
def healthz():
    """Database reachable, writable and at the newest migration; job queue reachable; when a
    Jetstream ingester writes to this database, how far behind it is (`ingest`).

    A `degraded: ...` check (rate limits counted in memory while Redis is down) is a
    warning: the service still answers. Anything else but `ok` answers 503, a problem
    whose `checks` member says what is wrong and whose detail names it.
    """
    checks: dict[str, str] = {}
    try:
        with get_db().engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        checks["database"] = "ok"
    except sa.exc.SQLAlchemyError as exc:
        checks["database"] = f"unreachable: {exc.__class__.__name__}"
    if checks["database"] == "ok":
        checks["migrations"] = schema_problem() or "ok"
    if checks.get("migrations") == "ok":
        checks["database"] = write_problem() or "ok"
    redis = bool(current_app.config.get("REDIS_URL"))
    queue = queue_problem()
    checks["queue"] = f"{queue} (Redis)" if queue and redis else queue or "ok"
    checks["rate_limits"] = limits_problem() or "ok"
    ingest = _ingest_lag() if checks["database"] == "ok" else None
    extra = {}
    if ingest is not None:  # a Jetstream ingester writes here: how far behind it is
        checks["ingest"] = ingest.check()
        extra["ingest"] = ingest.as_dict()
    failing = {name: value for name, value in checks.items() if _failing(value)}
    if not failing:
        return jsonify(status="ok", checks=checks, **extra)
    detail = "; ".join(f"{name}: {value}" for name, value in failing.items())
    response = problem_response(503, "unavailable", detail, checks=checks)
    response.headers["Retry-After"] = str(RETRY_AFTER)
    return response


def _ingest_lag() -> Lag | None:
    try:
        with get_db().engine.connect() as conn:
            return lag(conn)
    except sa.exc.SQLAlchemyError:  # not migrated yet: the migrations check says so
        return None


def _failing(value: str) -> bool:
    return value != "ok" and not value.startswith("degraded:")
