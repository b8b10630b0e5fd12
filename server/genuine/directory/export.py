"""The published directory in the export contract's shape (docs-notes/HELPERS.md).

`GET /api/v1/consultants` and `genuine directory export` both serve `document()`. Cards are the
accounts' current cards (not the snapshot attached at submission), so the directory shows what
the extension would show today; `last_audit` is the newest of their computation times. Each
account also carries `ownership` ({"status": "verified" | "unverified" | "unverifiable",
"verified": bool, "checked_at": ISO time or null}), the latest check of its code
(genuine.directory.ownership).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from genuine.directory import rules
from genuine.directory.evidence import current_cards
from genuine.models import Review, Submission, lookup_key


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


def consultant(sub: Submission, cards: dict[str, Any], reviews: list[Review]) -> dict[str, Any]:
    profile = sub.profile
    accounts, computed = [], []
    owned = {
        (a.get("platform"), a.get("handle")): a.get("ownership")
        for a in (sub.evidence or {}).get("accounts") or []
    }
    for account in profile.get("accounts", []):
        row = cards.get(lookup_key(account["platform"], account["handle"]))
        accounts.append(
            {
                "platform": account["platform"],
                "handle": account["handle"],
                "card": row.card if row else None,
                "ownership": _ownership(owned.get((account["platform"], account["handle"]))),
            }
        )
        if row:
            computed.append(row.computed_at)
    # The reviewers whose standing verdict in the publishing round is an approval.
    latest = {r.reviewer_id: r for r in reviews}
    latest = {k: r for k, r in latest.items() if r.verdict == "approve"}
    return {
        "slug": sub.slug,
        "name": profile.get("name", sub.name),
        "headline": profile.get("headline", ""),
        "bio_html": sub.bio_html,
        "services": list(profile.get("services", [])),
        "regions": list(profile.get("regions", [])),
        "languages": list(profile.get("languages", [])),
        "website": profile.get("website") or None,
        "accounts": accounts,
        "case_studies": [
            {"title": c["title"], "summary": c["summary"], "url": c.get("url") or None}
            for c in profile.get("case_studies", [])
        ],
        "review": {
            "reviewers": len(latest),
            "approved_at": _iso(sub.approved_at),
            "summary": rules.approval_summary([r.scores for r in latest.values()], len(latest)),
        },
        "last_audit": _iso(max(computed)) if computed else None,
        "published_at": _iso(sub.published_at),
    }


def _ownership(value: dict[str, Any] | None) -> dict[str, Any]:
    """The account's ownership as recorded in the evidence (genuine.directory.ownership);
    an account without a result (listed before ownership checks existed) is unverified."""
    value = value or {}
    status = value.get("status")
    if status not in ("verified", "unverified", "unverifiable"):
        status = "unverified"
    return {
        "status": status,
        "verified": status == "verified",
        "checked_at": value.get("checked_at"),
    }


def consultants(session: Session) -> list[dict[str, Any]]:
    """Published profiles only, in the order they were first published."""
    subs = list(
        session.execute(
            sa.select(Submission)
            .where(Submission.status == "published")
            .order_by(Submission.published_at, Submission.id)
        ).scalars()
    )
    accounts = [
        (a["platform"], a["handle"]) for sub in subs for a in sub.profile.get("accounts", [])
    ]
    cards = current_cards(session, accounts)
    reviews: dict[tuple[int, int], list[Review]] = {}
    if subs:
        rows = session.execute(
            sa.select(Review)
            .where(Review.submission_id.in_([s.id for s in subs]))
            .order_by(Review.id)
        ).scalars()
        for review in rows:
            reviews.setdefault((review.submission_id, review.round), []).append(review)
    return [consultant(s, cards, reviews.get((s.id, s.round), [])) for s in subs]


def document(session: Session, *, synthetic: bool) -> dict[str, Any]:
    """The whole export; `synthetic` also when any card shown comes from the demo's world."""
    listed = consultants(session)
    demo_cards = any(
        (account["card"] or {}).get("synthetic") for c in listed for account in c["accounts"]
    )
    return {
        "generated_at": datetime.now(UTC).isoformat(),
        "synthetic": synthetic or demo_cards,
        "consultants": listed,
    }
