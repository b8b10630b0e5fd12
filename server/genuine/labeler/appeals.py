"""``POST /xrpc/com.atproto.moderation.createReport``: a Bluesky report becomes a dispute.

A Bluesky user reports (or appeals a label) in their app; their PDS proxies the request
here with an inter-service JWT (``genuine.labeler.service_auth``). The report is stored as
a dispute on the card of the subject's account (``genuine.reports.dispute``), which keeps
that account's labels held until a reviewer resolves it (``genuine.labeler.emit``) and is
listed by ``genuine disputes list``.

* subject: ``com.atproto.admin.defs#repoRef`` ``{did}`` or ``com.atproto.repo.strongRef``
  ``{uri, cid}`` (the account is the URI's authority); the handle is found through the
  Jetstream actors, the label log, then ``Account.extra["did"]``;
* badge: when the reason names exactly one badge's label values (``follow-back-ring``…)
  the dispute is about that badge, otherwise about the whole card;
* answer: the lexicon's output (``id`` = the dispute's id).

Errors are XRPC ``{"error", "message"}``: 401 with the reference verifier's names
(``MissingJwt``, ``BadJwt``, ``JwtExpired``, ``BadJwtAudience``, ``BadJwtLexiconMethod``,
``BadJwtSignature``, ``AuthenticationRequired`` for an issuer that does not resolve), 400
``InvalidRequest`` (bad body, no card for the subject), 429 ``RateLimitExceeded`` (the
write limit), 502 ``UpstreamFailure`` (the DID directory is down), 501 while the labeler
is off.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from genuine import reports
from genuine.db import get_db
from genuine.labeler.bands import LABEL_VALUES, badge_of
from genuine.labeler.emit import LABEL, timestamp
from genuine.labeler.service_auth import AuthFailed, DidResolver, ResolverDown, verify
from genuine.labeler.xrpc import XrpcError, http_error, xrpc_error
from genuine.models import Account, BadgeCard, BlueskyActor, lookup_key

bp = Blueprint("labeler_appeals", __name__, url_prefix="/xrpc")

METHOD = "com.atproto.moderation.createReport"
REPO_REF = "com.atproto.admin.defs#repoRef"
STRONG_REF = "com.atproto.repo.strongRef"
REASON_MAX_BYTES = 20_000  # the lexicon's maxLength (UTF-8 bytes)
STORED_MAX = 4000  # Dispute.reason
DID_MAX = 2048


bp.register_error_handler(XrpcError, xrpc_error)
bp.register_error_handler(HTTPException, http_error)


def resolver() -> DidResolver:
    """One resolver (and DID document cache) per app."""
    app = current_app
    found = app.extensions.get("genuine.did_resolver")
    if found is None or found.plc_url != app.config["PLC_DIRECTORY_URL"].rstrip("/"):
        found = DidResolver(app.config["PLC_DIRECTORY_URL"], public_url=app.config["PUBLIC_URL"])
        app.extensions["genuine.did_resolver"] = found
    return found


def _reporter(audience: str) -> str:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer ") or not header[7:].strip():
        raise XrpcError("missing jwt (a Bearer service token)", 401, "MissingJwt")
    try:
        return verify(header[7:].strip(), audience, METHOD, resolver()).iss
    except AuthFailed as exc:
        raise XrpcError(exc.message, 401, exc.error) from None
    except ResolverDown as exc:
        raise XrpcError(str(exc), 502, "UpstreamFailure") from None


def _did(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.startswith("did:") or len(value) > DID_MAX:
        raise XrpcError(f"{where} must be a DID")
    if any(c in value for c in "/?#@ ") or len(value.split(":")) < 3:
        raise XrpcError(f"{where} must be a DID")
    return value


def _subject_did(subject: Any) -> str:
    if not isinstance(subject, dict):
        raise XrpcError("subject must be an object")
    kind = subject.get("$type")
    if kind == REPO_REF:
        return _did(subject.get("did"), "subject.did")
    if kind == STRONG_REF:
        uri, cid = subject.get("uri"), subject.get("cid")
        if not isinstance(cid, str) or not cid:
            raise XrpcError("subject.cid is required")
        if not isinstance(uri, str) or not uri.startswith("at://"):
            raise XrpcError("subject.uri must be an at:// URI")
        return _did(uri[5:].split("/", 1)[0], "the authority of subject.uri")
    raise XrpcError(f"subject.$type must be {REPO_REF} or {STRONG_REF}")


def _body() -> tuple[str, str | None, dict[str, Any], str]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise XrpcError("the body must be a JSON object (Content-Type: application/json)")
    reason_type = body.get("reasonType")
    if not isinstance(reason_type, str) or not 1 <= len(reason_type) <= 256:
        raise XrpcError("reasonType is required (e.g. com.atproto.moderation.defs#reasonAppeal)")
    reason = body.get("reason")
    if reason is not None and (
        not isinstance(reason, str) or len(reason.encode()) > REASON_MAX_BYTES
    ):
        raise XrpcError(f"reason must be a string of at most {REASON_MAX_BYTES} bytes")
    subject = body.get("subject")
    return reason_type, reason, subject, _subject_did(subject)


def handle_of(conn: sa.Connection, did: str) -> str | None:
    """The Bluesky handle of ``did``: Jetstream's actors, the label log, then accounts."""
    actor = conn.execute(
        sa.select(BlueskyActor.__table__.c.handle).where(BlueskyActor.__table__.c.did == did)
    ).scalar()
    if actor:
        return actor
    labelled = conn.execute(
        sa.select(LABEL.c.handle)
        .where(LABEL.c.uri == did, LABEL.c.platform == "bluesky")
        .order_by(LABEL.c.seq.desc())
        .limit(1)
    ).scalar()
    if labelled:
        return labelled
    accounts = Account.__table__
    return conn.execute(
        sa.select(accounts.c.handle)
        .where(accounts.c.platform == "bluesky", accounts.c.extra["did"].as_string() == did)
        .limit(1)
    ).scalar()


def badge_named(reason: str | None) -> str | None:
    """The one badge whose label values the reason names, else None (the whole card)."""
    text = (reason or "").lower()
    named = {badge_of(v) for v in LABEL_VALUES if v in text}
    return named.pop() if len(named) == 1 else None


def _stored_reason(reason_type: str, reason: str | None, reporter: str) -> str:
    kind = reason_type.rsplit("#", 1)[-1]
    text = f"[Bluesky report, {kind}, from {reporter}] {(reason or '').strip()}".strip()
    return text if len(text) <= STORED_MAX else text[: STORED_MAX - 1] + "…"


@bp.post("/com.atproto.moderation.createReport")
def create_report():
    audience = current_app.config.get("LABELER_DID")
    if not audience:
        raise XrpcError("this Genuine instance runs no labeler", 501, "MethodNotImplemented")
    reporter = _reporter(audience)
    reason_type, reason, subject, did = _body()
    db = get_db()
    with db.engine.connect() as conn:
        handle = handle_of(conn, did)
        has_card = (
            handle is not None
            and conn.execute(
                sa.select(BadgeCard.__table__.c.lookup_key).where(
                    BadgeCard.__table__.c.lookup_key == lookup_key("bluesky", handle)
                )
            ).first()
        )
    if not has_card:
        raise XrpcError(f"Genuine has no card for {did}, so nothing to dispute")
    with db.session() as session, session.begin():
        row = reports.dispute(
            session,
            "bluesky",
            handle,
            badge_named(reason),
            _stored_reason(reason_type, reason, reporter),
            reporter,
        )
        session.flush()
        dispute_id, created = row.id, row.created_at
    out: dict[str, Any] = {"id": dispute_id, "reasonType": reason_type}
    if reason is not None:
        out["reason"] = reason
    out |= {
        "subject": subject,
        "reportedBy": reporter,
        "createdAt": timestamp(created if created.tzinfo else created.replace(tzinfo=UTC)),
    }
    return jsonify(out)
