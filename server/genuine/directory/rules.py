"""The review policy as pure functions: no database, no Flask, so every rule is unit-tested.

docs-notes/directory.md states the same rules in words; change both together.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

CRITERIA = {
    "authentic_audience": "Authentic audience",
    "real_conversation": "Real conversation",
    "evidence_of_work": "Evidence of real work",
    "transparency": "Transparency",
}
VERDICTS = {
    "approve": "Approve",
    "request_changes": "Request changes",
    "reject": "Reject",
}
APPROVALS_TO_PUBLISH = 2
REJECTIONS_TO_REJECT = 2
SCORE_RANGE = range(1, 6)
# Comments a consultant needs to act on: a verdict other than approve must say why.
MIN_FEEDBACK = 10

# Who may act on a submission in which state.
EDITABLE = {"draft", "changes_requested", "withdrawn", "rejected", "published"}
SUBMITTABLE = {"draft", "changes_requested", "withdrawn", "rejected"}
WITHDRAWABLE = {"draft", "under_review", "changes_requested", "published"}
APPEALABLE = {"delisted", "rejected"}


@dataclass(frozen=True)
class Verdict:
    reviewer_id: int
    verdict: str
    override_reason: str | None = None


def standing(reviews: Iterable[Verdict]) -> dict[int, Verdict]:
    """Each reviewer's latest verdict in a round (reviews in the order they were written)."""
    latest: dict[int, Verdict] = {}
    for review in reviews:
        latest[review.reviewer_id] = review
    return latest


def account_risks(evidence: Mapping[str, Any] | None) -> list[str]:
    """What in the consultant's own cards needs an explicit override, in words."""
    risks = []
    for account in (evidence or {}).get("accounts", []):
        badges = (account.get("card") or {}).get("badges", {})
        name = f"{account['platform']}:{account['handle']}"
        if badges.get("follower_purchase_risk", {}).get("level") == "high":
            risks.append(f"{name} has a high follower-purchase risk")
        if badges.get("follow_back_ring", {}).get("level") == "member":
            risks.append(f"{name} is a member of a follow-back ring")
    return risks


def ownership_gaps(evidence: Mapping[str, Any] | None) -> list[str]:
    """Listed accounts the consultant has not shown to be theirs, in words (see
    genuine.directory.ownership for the evidence's `ownership` field)."""
    gaps = []
    for account in (evidence or {}).get("accounts", []):
        owned = account.get("ownership") or {}
        if owned.get("verified"):
            continue
        name = f"{account['platform']}:{account['handle']}"
        if owned.get("status") == "unverifiable":
            gaps.append(
                f"{name}: ownership cannot be verified (this server cannot fetch "
                f"{account['platform']} bios), so its badges count only with an override"
            )
        elif owned.get("checked_at"):
            gaps.append(
                f"{name}: ownership not verified (the code was not in its bio on "
                f"{str(owned['checked_at'])[:10]}), so its badges count only with an override"
            )
        else:
            gaps.append(
                f"{name}: ownership not verified yet, so its badges count only with an override"
            )
    return gaps


def has_verified_account(evidence: Mapping[str, Any] | None) -> bool:
    """Whether at least one listed account showed its code: needed to publish."""
    return any(
        (account.get("ownership") or {}).get("verified")
        for account in (evidence or {}).get("accounts", [])
    )


def override_needs(evidence: Mapping[str, Any] | None) -> list[str]:
    """Everything an approving reviewer must override in writing: risky own accounts and
    accounts whose ownership is not verified."""
    return account_risks(evidence) + ownership_gaps(evidence)


NO_VERIFIED_ACCOUNT = (
    "approving needs at least one account whose ownership is verified (its code in its bio, "
    "found by an audit): wait for the check, or request changes"
)


def refusal(reviewer_id: int, owner_id: int, conflicted: Iterable[int]) -> str | None:
    """Why this person may not review this submission, or None when they may."""
    if reviewer_id == owner_id:
        return "you cannot review your own submission"
    if reviewer_id in set(conflicted):
        return "you declared a conflict of interest with this submission"
    return None


def review_problems(
    verdict: str,
    scores: Mapping[str, Any],
    comment: str,
    override_reason: str | None,
    risks: Sequence[str],
    owned: bool = True,
) -> dict[str, str]:
    """Problems with a review as written, by field name; empty when it may be recorded."""
    problems: dict[str, str] = {}
    if verdict not in VERDICTS:
        problems["verdict"] = "choose approve, request changes or reject"
    for criterion, label in CRITERIA.items():
        score = (scores.get(criterion) or {}).get("score")
        if not isinstance(score, int) or score not in SCORE_RANGE:
            problems[criterion] = f"score {label.lower()} from 1 to 5"
    if verdict in ("request_changes", "reject") and len(comment.strip()) < MIN_FEEDBACK:
        problems["comment"] = "tell the consultant why, in at least 10 characters"
    if verdict == "approve" and not owned:
        problems["verdict"] = NO_VERIFIED_ACCOUNT
    if verdict == "approve" and risks and not (override_reason or "").strip():
        problems["override_reason"] = (
            "approving needs an override with a written reason: " + "; ".join(risks)
        )
    return problems


def outcome(reviews: Iterable[Verdict], risks: Sequence[str], owned: bool = True) -> str | None:
    """The state a round of reviews leads to, or None while it stays under review.

    - any standing request for changes sends the profile back to the consultant;
    - two standing rejections reject it;
    - two approvals from different reviewers publish it, provided no rejection stands and at
      least one listed account is verified as the consultant's (`owned`); when the accounts
      carry risks or unverified ownership, only approvals with an override count.
    """
    verdicts = list(standing(reviews).values())
    if any(v.verdict == "request_changes" for v in verdicts):
        return "changes_requested"
    rejections = sum(v.verdict == "reject" for v in verdicts)
    if rejections >= REJECTIONS_TO_REJECT:
        return "rejected"
    approvals = sum(
        v.verdict == "approve" and (not risks or bool((v.override_reason or "").strip()))
        for v in verdicts
    )
    if approvals >= APPROVALS_TO_PUBLISH and rejections == 0 and owned:
        return "published"
    return None


REQUIRED_TEXT = {"name": "a name", "headline": "a headline", "bio": "a biography"}
STATEMENTS = {
    "no_bought_engagement": "I have never bought followers or engagement, for me or for clients.",
    "discloses_partnerships": "I disclose paid partnerships, mine and my clients'.",
}


def missing_for_submit(profile: Mapping[str, Any]) -> dict[str, str]:
    """What a profile still needs before it can be submitted (drafts may lack these)."""
    missing = {
        field: f"add {words} before submitting"
        for field, words in REQUIRED_TEXT.items()
        if not str(profile.get(field) or "").strip()
    }
    if not profile.get("services"):
        missing["services"] = "list at least one service before submitting"
    if not profile.get("accounts"):
        missing["accounts"] = "list at least one social account before submitting"
    statements = profile.get("statements") or {}
    for key in STATEMENTS:
        if not statements.get(key):
            missing[key] = "sign this statement before submitting"
    return missing


def approval_summary(scores: Sequence[Mapping[str, Any]], reviewers: int) -> str:
    """One plain sentence for the directory: who approved and the average rubric scores."""
    parts = []
    for criterion, label in CRITERIA.items():
        values = [
            s[criterion]["score"]
            for s in scores
            if isinstance((s.get(criterion) or {}).get("score"), int)
        ]
        if values:
            parts.append(f"{label.lower()} {sum(values) / len(values):.1f}/5")
    approved = f"Approved by {reviewers} reviewer{'s' if reviewers != 1 else ''}"
    return approved + (": " + ", ".join(parts) if parts else "") + "."
