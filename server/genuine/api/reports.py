"""The evidence behind a card: sampled followers, reply pairs, ring members, snapshots."""

from __future__ import annotations

from datetime import UTC

from flask import Blueprint, jsonify
from spectree import Response as Responses

from genuine import reports
from genuine.api import spec
from genuine.api.badges import account_or_problem
from genuine.api.schemas import ProblemModel, ReportModel
from genuine.db import get_db
from genuine.problems import Problem

bp = Blueprint("reports_api", __name__)


@bp.get("/accounts/<platform>/<handle>/report")
@spec.validate(
    resp=Responses(HTTP_200=ReportModel, HTTP_400=ProblemModel, HTTP_404=ProblemModel),
    tags=["badges"],
    skip_validation=True,
)
def report(platform: str, handle: str):
    """The card, the evidence it was computed from, and open disputes."""
    platform, handle = account_or_problem(platform, handle)
    with get_db().engine.connect() as conn:
        found = reports.load(conn, platform, handle)
    if found is None:
        raise Problem(404, "unknown_account", f"no report for {platform}:{handle} yet")
    return jsonify(
        card=found.card,
        evidence=found.evidence,
        disputes=[
            {"id": d.id, "badge": d.badge, "reason": d.reason, "created_at": _iso(d.created_at)}
            for d in found.disputes
        ],
    )


def _iso(moment):
    """ISO 8601 with its offset, as the spec says (jsonify alone writes RFC 1123); SQLite
    hands back naive datetimes, which are UTC here."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()
