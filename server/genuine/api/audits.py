"""Audits: ask for an account to be fetched live and its card recomputed (API key needed).

POST answers 202 at once with the audit's id; a worker (`genuine worker`) runs it.
Two requests for the same account while its audit is queued or running share it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from flask import Blueprint, current_app, jsonify
from pydantic import BaseModel, ConfigDict, Field
from spectree import Response as Responses

from genuine import pipeline
from genuine.api import spec
from genuine.api.auth import key_required
from genuine.api.requests import parse_json
from genuine.api.schemas import AccountRef, ProblemModel
from genuine.db import get_db
from genuine.problems import Problem

bp = Blueprint("audits", __name__)
WRITES = True  # POSTs count against the write rate limit (genuine.limits)


class AuditCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    account: AccountRef


class AuditQueued(BaseModel):
    id: str
    status: Literal["queued", "running", "done", "failed"]


class AuditPublic(AuditQueued):
    platform: str
    handle: str
    origin: str
    requested_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    attempts: int
    requests: int | None = Field(description="HTTP requests made to the platform")
    error: str | None = Field(description="Why the audit failed; the previous card stays")
    notes: list[str] = Field(description="What could not be fetched (e.g. hidden followers)")
    card_url: str | None = Field(description="The account's card, once the audit is done")


def public(audit: dict) -> dict:
    done = audit["status"] == "done"
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    return AuditPublic(
        **{k: audit[k] for k in AuditPublic.model_fields if k in audit},
        card_url=f"{base}/api/v1/badges/{audit['platform']}/{audit['handle']}" if done else None,
    ).model_dump(mode="json")


@bp.post("/audits")
@key_required()
@spec.validate(
    json=AuditCreate,
    resp=Responses(
        HTTP_202=AuditQueued,
        HTTP_400=ProblemModel,
        HTTP_401=ProblemModel,
        HTTP_422=(
            ProblemModel,
            "code platform_unavailable: this server cannot audit the platform (Instagram has "
            "no open API; X needs a bearer token); detail says why and what would fix it",
        ),
    ),
    tags=["audits"],
    security={"ApiKey": []},
    skip_validation=True,
)
def create():
    """Queue an audit of one account; answers its id and status (shared if one is under way)."""
    body = parse_json(AuditCreate)
    platform, handle = body.account.platform, body.account.handle
    verdict = pipeline.can_audit(current_app.config, platform)
    if not verdict:
        raise Problem(422, "platform_unavailable", verdict.why)
    audit, _created = pipeline.request(platform, handle)
    response = jsonify(id=audit["id"], status=audit["status"])
    response.headers["Location"] = f"/api/v1/audits/{audit['id']}"
    return response, 202


@bp.get("/audits/<audit_id>")
@key_required()
@spec.validate(
    resp=Responses(HTTP_200=AuditPublic, HTTP_401=ProblemModel, HTTP_404=ProblemModel),
    tags=["audits"],
    security={"ApiKey": []},
    skip_validation=True,
)
def status(audit_id: str):
    """Status of one audit: queued, running, done (with its card's address) or failed (why)."""
    audit = pipeline.get_audit(get_db().engine, audit_id[:32])
    if audit is None:
        raise Problem(404, "unknown_audit", f"no audit with id {audit_id[:40]!r}")
    return jsonify(public(audit))
