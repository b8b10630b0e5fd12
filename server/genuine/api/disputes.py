"""Disputes: anyone may contest a badge; admins list and resolve them."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, jsonify
from spectree import Response as Responses

from genuine import reports
from genuine.api import spec
from genuine.api.auth import key_required
from genuine.api.requests import parse_json
from genuine.api.schemas import DisputeCreate, DisputeList, DisputePublic, ProblemModel
from genuine.db import get_db
from genuine.models import Dispute

bp = Blueprint("disputes", __name__)
WRITES = True  # POSTs count against the write rate limit (genuine.limits)


def public(dispute: Dispute) -> dict:
    return DisputePublic.model_validate(dispute, from_attributes=True).model_dump(mode="json")


@bp.post("/disputes")
@spec.validate(
    json=DisputeCreate,
    resp=Responses(HTTP_201=DisputePublic, HTTP_400=ProblemModel, HTTP_429=ProblemModel),
    tags=["disputes"],
    skip_validation=True,
)
def create():
    """Dispute a badge: the report shows it as disputed until an admin resolves it."""
    body = parse_json(DisputeCreate)
    account = body.account
    with get_db().session() as session, session.begin():
        dispute = reports.dispute(
            session, account.platform, account.handle, body.badge, body.reason, body.contact
        )
    return jsonify(public(dispute)), 201


@bp.get("/disputes")
@key_required(admin=True)
@spec.validate(
    resp=Responses(HTTP_200=DisputeList, HTTP_401=ProblemModel, HTTP_403=ProblemModel),
    tags=["disputes"],
    security={"ApiKey": []},
    skip_validation=True,
)
def listing():
    """Open disputes first, newest first (admin API key)."""
    with get_db().session() as session:
        rows = session.execute(
            sa.select(Dispute).order_by(Dispute.status != "open", Dispute.id.desc()).limit(500)
        ).scalars()
        return jsonify(disputes=[public(d) for d in rows])
