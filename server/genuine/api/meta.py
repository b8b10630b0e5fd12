"""What a client needs to know before asking, and whether the service is healthy."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify
from spectree import Response as Responses

from genuine.api import spec
from genuine.api.badges import current_prefix_length
from genuine.api.schemas import Health, Meta
from genuine.cards.build import model_version
from genuine.db import get_db, schema_problem
from genuine.handles import PLATFORMS

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
    resp=Responses(HTTP_200=Health, HTTP_503=Health), tags=["meta"], skip_validation=True
)
def healthz():
    """Database reachable and at the newest migration; job queue reachable when configured."""
    checks: dict[str, str] = {}
    try:
        with get_db().engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        checks["database"] = "ok"
    except sa.exc.SQLAlchemyError as exc:
        checks["database"] = f"unreachable: {exc.__class__.__name__}"
    if checks["database"] == "ok":
        checks["migrations"] = schema_problem() or "ok"
    from genuine.pipeline.queue import queue_problem

    checks["queue"] = queue_problem() or "ok"
    failing = any(value != "ok" for value in checks.values())
    return jsonify(status="failing" if failing else "ok", checks=checks), 503 if failing else 200
