"""Evidence from badge cards: attached on submit, re-checked after scoring.

`request_audit` is the boundary with the audit pipeline: it records in the decision log that
an account needs a fresh audit and, once the submission's transaction commits, queues one
(genuine.pipeline.request) for the platforms this server can audit live.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from genuine import pipeline
from genuine.directory import log, ownership
from genuine.directory.locks import claim
from genuine.directory.rules import account_risks
from genuine.models import BadgeCard, Submission, lookup_key

# A card older than this is still attached, but a fresh audit is requested.
CARD_MAX_AGE = timedelta(days=30)
NO_CARD = "no card yet"


def request_audit(
    platform: str, handle: str, *, session: Session, config: Mapping[str, Any]
) -> None:
    """Record that (platform, handle) needs an audit and, when this server can audit the
    platform, queue one once the session commits (genuine.pipeline.request)."""
    log.record(session, "audit_requested", platform=platform, handle=handle)
    if pipeline.can_audit(config, platform):
        pipeline.request(platform, handle, origin="directory", after=session)


def current_cards(session: Session, accounts: Iterable[tuple[str, str]]) -> dict[str, BadgeCard]:
    keys = {lookup_key(p, h) for p, h in accounts}
    if not keys:
        return {}
    rows = session.execute(sa.select(BadgeCard).where(BadgeCard.lookup_key.in_(keys))).scalars()
    return {row.lookup_key: row for row in rows}


def gather(
    session: Session,
    accounts: list[dict[str, str]],
    *,
    config: Mapping[str, Any],
    request: bool,
    previous: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The cards of `accounts` as they are now, with each account's ownership (carried over
    from `previous`, the evidence this replaces; see genuine.directory.ownership); with
    `request`, ask audits for missing or stale cards and for ownership not verified yet. The
    result is stored on the submission as JSON. `config` says which platforms can be audited."""
    now = datetime.now(UTC)
    found = current_cards(session, [(a["platform"], a["handle"]) for a in accounts])
    before = {
        (a.get("platform"), a.get("handle")): a.get("ownership")
        for a in (previous or {}).get("accounts") or []
    }
    platforms = pipeline.auditable(config)
    attached = []
    for account in accounts:
        platform, handle = account["platform"], account["handle"]
        owned = ownership.initial(platform, platforms, before.get((platform, handle)))
        row = found.get(lookup_key(platform, handle))
        if row is None:
            attached.append(
                {
                    "platform": platform,
                    "handle": handle,
                    "card": None,
                    "note": NO_CARD,
                    "ownership": owned,
                }
            )
            stale = True
        else:
            attached.append(
                {
                    "platform": platform,
                    "handle": handle,
                    "card": row.card,
                    "note": None,
                    "ownership": owned,
                }
            )
            computed = (
                row.computed_at if row.computed_at.tzinfo else row.computed_at.replace(tzinfo=UTC)
            )
            stale = now - computed > CARD_MAX_AGE
        # An audit fetches the bio, which is how ownership is checked.
        checkable = owned["status"] == ownership.UNVERIFIED
        if request and (stale or checkable):
            request_audit(platform, handle, session=session, config=config)
    return {"attached_at": now.isoformat(), "accounts": attached}


def flag_if_cards_turned_bad(
    engine: sa.Engine,
    accounts: Iterable[tuple[str, str]] | None = None,
    *,
    config: Mapping[str, Any],
) -> list[int]:
    """Send published consultants back to review when their cards now show a risk they did not
    show when approved (high follower-purchase risk, ring membership). Call after scoring, with
    the accounts just scored or None for all. Returns the ids of the submissions flagged."""

    wanted = None if accounts is None else {(p, h) for p, h in accounts}
    flagged = []
    with Session(engine, expire_on_commit=False) as session:
        candidates = []
        published = session.execute(
            sa.select(Submission).where(Submission.status == "published").order_by(Submission.id)
        ).scalars()
        for sub in list(published):
            listed = [(a["platform"], a["handle"]) for a in sub.profile.get("accounts", [])]
            if wanted is not None and not wanted & set(listed):
                continue
            fresh = gather(
                session,
                sub.profile.get("accounts", []),
                config=config,
                request=False,
                previous=sub.evidence,
            )
            new = sorted(set(account_risks(fresh)) - set(account_risks(sub.evidence)))
            if new:
                candidates.append((sub.id, fresh, new))
        session.rollback()  # end the read; each flag is its own transaction
        for sub_id, fresh, new in candidates:
            with session.begin():
                if not claim(session, sub_id, {"published"}):
                    continue  # delisted or withdrawn meanwhile
                sub = session.get(Submission, sub_id, populate_existing=True)
                sub.status, sub.round = "under_review", sub.round + 1
                sub.evidence, sub.flag_reason = fresh, "; ".join(new)[:2000]
                sub.updated_at = datetime.now(UTC)
                log.record(session, "flagged", submission_id=sub_id, round=sub.round, risks=new)
            flagged.append(sub_id)
    return flagged
