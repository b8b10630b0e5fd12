"""Proof that consultants control the accounts they list (like Mastodon's rel=me links or
Keybase proofs): a code in the account's bio, found by an audit that fetched the bio live.

Each listed account gets a code derived from the server's SECRET_KEY, the submission and the
account (`code`). The consultant puts it in the account's bio (profile description) until the
review ends. When an audit fetches an account, `check_fetched` looks for the code in the fetched
bio and stores the result on every submitted profile listing that account, in its evidence:

    evidence["accounts"][i]["ownership"] = {
        "status": "verified" | "unverified" | "unverifiable",
        "verified": true | false,
        "checked_at": "2026-11-23T20:00:00+00:00" | null,   # the latest check; null: never
    }

- `verified`: the code was in the bio the last time the account was fetched;
- `unverified`: not checked yet (`checked_at` null), or the code was missing at `checked_at`;
- `unverifiable`: this server has no live source for the platform (Instagram; X without a
  token). Its data comes from imports, which anyone could have written: nobody can show who
  controls it.

What follows from these is decided in genuine.directory.rules (`ownership_gaps`,
`has_verified_account`). Only a bio fetched from the platform proves anything: the audit
pipeline calls `check_fetched`; the demo calls `record` with its synthetic world's bios.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
from collections.abc import Collection, Mapping
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from genuine import pipeline
from genuine.directory import log
from genuine.directory.locks import claim
from genuine.models import Submission
from genuine.models.directory import STATUSES

PREFIX = "genuine-verify-"
VERIFIED, UNVERIFIED, UNVERIFIABLE = "verified", "unverified", "unverifiable"


def code(secret: str | bytes, submission_id: int, platform: str, handle: str) -> str:
    """The code `platform:handle` must show in its bio to prove it belongs to the submission."""
    key = secret.encode() if isinstance(secret, str) else secret
    message = f"{submission_id}\n{platform}\n{handle}".encode()
    return PREFIX + hmac.new(key, message, hashlib.sha256).hexdigest()[:10]


def found(bio: str | None, expected: str) -> bool:
    """Whether the bio shows the code (case-insensitive: some sites change case)."""
    return expected.lower() in (bio or "").lower()


def initial(platform: str, platforms: Collection[str], previous: Mapping | None = None) -> dict:
    """The ownership of an account when evidence is (re)attached: an earlier result for the
    same submission and account carries over (the code is the same); an unchecked account of a
    platform this server cannot fetch is unverifiable."""
    if previous and previous.get("status") == VERIFIED:
        return dict(previous)  # a fact as of its checked_at, even if the source went away
    if platform not in platforms:
        return {"status": UNVERIFIABLE, "verified": False, "checked_at": None}
    if previous and previous.get("status") == UNVERIFIED:
        return dict(previous)
    return {"status": UNVERIFIED, "verified": False, "checked_at": None}


def record(session: Session, secret: str, platform: str, handle: str, bio: str | None) -> list[int]:
    """Store whether each submitted profile listing (platform, handle) shows its code in `bio`,
    a bio just fetched from the platform. Runs in the caller's transaction; returns the ids of
    the submissions updated."""

    now = datetime.now(UTC).isoformat()
    candidates = [
        sub.id
        for sub in session.execute(sa.select(Submission).order_by(Submission.id)).scalars()
        if _index(sub.evidence, platform, handle) is not None
    ]
    updated = []
    for sub_id in candidates:
        if not claim(session, sub_id, STATUSES):  # lock the row before changing its evidence
            continue
        sub = session.get(Submission, sub_id, populate_existing=True)
        index = _index(sub.evidence, platform, handle)
        if index is None:
            continue
        verified = found(bio, code(secret, sub.id, platform, handle))
        evidence = copy.deepcopy(sub.evidence)  # a plain JSON column: assign a new value
        evidence["accounts"][index]["ownership"] = {
            "status": VERIFIED if verified else UNVERIFIED,
            "verified": verified,
            "checked_at": now,
        }
        sub.evidence = evidence
        log.record(
            session,
            "ownership_checked",
            submission_id=sub.id,
            platform=platform,
            handle=handle,
            verified=verified,
        )
        updated.append(sub.id)
    return updated


def check_fetched(
    engine: sa.Engine, secret: str, platform: str, handle: str, bio: str | None
) -> list[int]:
    """`record` in its own transaction, for the audit pipeline after a successful fetch."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        return record(session, secret, platform, handle, bio)


def accounts_view(sub: Submission | None, config: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each account of the profile with its code (from the SECRET_KEY of `config`) and its
    latest ownership result, for the consultant's page; `checkable` when this server can fetch
    its bio. Accounts added since the last submission have no result yet."""
    if sub is None or sub.id is None:
        return []
    secret = config["SECRET_KEY"]
    platforms = pipeline.auditable(config)
    rows = []
    for account in sub.profile.get("accounts", []):
        platform, handle = account["platform"], account["handle"]
        index = _index(sub.evidence, platform, handle)
        attached = sub.evidence["accounts"][index] if index is not None else {}
        rows.append(
            {
                "platform": platform,
                "handle": handle,
                "code": code(secret, sub.id, platform, handle),
                "ownership": initial(platform, platforms, attached.get("ownership")),
                "checkable": platform in platforms,
            }
        )
    return rows


def _index(evidence: Mapping[str, Any] | None, platform: str, handle: str) -> int | None:
    for i, account in enumerate((evidence or {}).get("accounts") or []):
        if account.get("platform") == platform and account.get("handle") == handle:
            return i
    return None
