"""What consultants, reviewers and admins do, as transactions on a Session.

Every state change starts with `claim`: a conditional UPDATE of the submission row that bumps
its version only if the row is still in an expected state. It is the first write of the
transaction, so it takes the row lock on PostgreSQL and the write lock on SQLite before anything
is decided; two approvals arriving at once are serialised, the second sees the first, and the
profile is published exactly once. Callers wrap each function in `with session.begin():`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from genuine.directory import log, rules
from genuine.directory.evidence import gather
from genuine.directory.locks import claim
from genuine.directory.people import send_mail
from genuine.directory.text import render_bio, slugify
from genuine.models import Conflict, Review, Submission, User


class DirectoryError(Exception):
    """An action that cannot happen; the message says why, in words for the person."""

    status = 400

    def __init__(self, message: str, fields: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message, self.fields = message, dict(fields or {})


class NotAllowed(DirectoryError):
    status = 403


class Stale(DirectoryError):
    """The submission changed state meanwhile (someone else decided first)."""

    status = 409


def _now() -> datetime:
    return datetime.now(UTC)


def _reload(session: Session, submission_id: int) -> Submission:
    return session.get(Submission, submission_id, populate_existing=True)


def of_user(session: Session, user_id: int) -> Submission | None:
    return session.execute(
        sa.select(Submission).where(Submission.user_id == user_id)
    ).scalar_one_or_none()


def save_profile(session: Session, user: User, profile: dict[str, Any]) -> Submission:
    """Create or update the person's profile as a draft. Editing a published profile takes it
    out of the directory until it is submitted and approved again."""
    sub = of_user(session, user.id)
    if sub is None:
        sub = Submission(user_id=user.id, name=profile["name"], status="draft")
        session.add(sub)
        session.flush()
        log.record(session, "created", actor_id=user.id, submission_id=sub.id)
    else:
        if sub.status not in rules.EDITABLE:
            raise NotAllowed(_why_not_editable(sub.status))
        before = sub.status
        if not claim(session, sub.id, rules.EDITABLE):
            raise Stale("your profile changed state meanwhile; reload the page")
        sub = _reload(session, sub.id)
        if before == "published":
            sub.status = "draft"
            log.record(session, "unpublished_by_edit", actor_id=user.id, submission_id=sub.id)
    sub.profile, sub.name = profile, profile["name"]
    sub.bio_html = render_bio(profile.get("bio") or "")
    sub.updated_at = _now()
    log.record(session, "saved", actor_id=user.id, submission_id=sub.id, status=sub.status)
    return sub


def _why_not_editable(status: str) -> str:
    if status == "under_review":
        return "your profile is under review: withdraw it first to edit it"
    if status == "delisted":
        return "your profile was delisted: appeal the decision instead"
    return f"a profile that is {status.replace('_', ' ')} cannot be edited"


def submit(session: Session, user: User, *, config: Mapping[str, Any]) -> Submission:
    """Send the profile to review, with the current cards of its accounts as evidence."""
    sub = of_user(session, user.id)
    if sub is None:
        raise DirectoryError("save your profile first")
    missing = rules.missing_for_submit(sub.profile)
    if missing:
        raise DirectoryError("your profile is not complete yet", missing)
    if not claim(session, sub.id, rules.SUBMITTABLE):
        raise Stale(f"a profile that is {sub.status.replace('_', ' ')} cannot be submitted")
    return _start_round(session, _reload(session, sub.id), user.id, "submitted", config)


def _start_round(
    session: Session,
    sub: Submission,
    actor_id: int,
    action: str,
    config: Mapping[str, Any],
    **detail,
):
    sub.status, sub.round = "under_review", sub.round + 1
    sub.evidence = gather(
        session,
        sub.profile.get("accounts", []),
        config=config,
        request=True,
        previous=sub.evidence,
    )
    sub.submitted_at = sub.updated_at = _now()
    # What reviewers see: the profile as sent, not later edits of it ("nobody sees it until
    # you submit it"), until the next submission replaces it.
    sub.submitted = copy.deepcopy(
        {"name": sub.name, "profile": sub.profile, "bio_html": sub.bio_html}
    )
    sub.flag_reason = None
    log.record(session, action, actor_id=actor_id, submission_id=sub.id, round=sub.round, **detail)
    return sub


def withdraw(session: Session, user: User) -> Submission:
    sub = of_user(session, user.id)
    if sub is None or not claim(session, sub.id, rules.WITHDRAWABLE):
        raise Stale("there is nothing to withdraw")
    sub = _reload(session, sub.id)
    sub.status, sub.updated_at = "withdrawn", _now()
    log.record(session, "withdrawn", actor_id=user.id, submission_id=sub.id)
    return sub


def appeal(
    session: Session, user: User, statement: str, *, config: Mapping[str, Any]
) -> Submission:
    """Ask for a new round of review after a rejection or a delisting."""
    sub = of_user(session, user.id)
    if len(statement.strip()) < rules.MIN_FEEDBACK:
        raise DirectoryError("say why, in at least 10 characters", {"statement": "too short"})
    if sub is None or not claim(session, sub.id, rules.APPEALABLE):
        raise Stale("only a rejected or delisted profile can be appealed")
    sub = _reload(session, sub.id)
    sub.delist_reason = None
    return _start_round(
        session, sub, user.id, "appealed", config, statement=statement.strip()[:4000]
    )


def delist(
    session: Session, admin: User, submission_id: int, reason: str, *, config: Mapping[str, Any]
) -> Submission:
    if not admin.can("admin"):
        raise NotAllowed("only an admin can delist a consultant")
    if len(reason.strip()) < rules.MIN_FEEDBACK:
        raise DirectoryError("give the reason, in at least 10 characters", {"reason": "too short"})
    if not claim(session, submission_id, {"published", "under_review", "changes_requested"}):
        raise Stale("only a published or reviewed profile can be delisted")
    sub = _reload(session, submission_id)
    sub.status, sub.delist_reason, sub.updated_at = "delisted", reason.strip()[:2000], _now()
    log.record(session, "delisted", actor_id=admin.id, submission_id=sub.id, reason=reason)
    _tell(session, sub, "Your Genuine directory profile was delisted", reason.strip(), config)
    return sub


def conflicts_of(session: Session, submission_id: int) -> set[int]:
    rows = session.execute(
        sa.select(Conflict.reviewer_id).where(Conflict.submission_id == submission_id)
    )
    return set(rows.scalars())


def declare_conflict(session: Session, reviewer: User, submission_id: int, reason: str) -> None:
    if session.get(Conflict, (submission_id, reviewer.id)) is None:
        session.add(Conflict(submission_id=submission_id, reviewer_id=reviewer.id, reason=reason))
        log.record(session, "conflict_declared", actor_id=reviewer.id, submission_id=submission_id)


def round_reviews(session: Session, sub: Submission) -> list[Review]:
    return list(
        session.execute(
            sa.select(Review)
            .where(Review.submission_id == sub.id, Review.round == sub.round)
            .order_by(Review.id)
        ).scalars()
    )


def refusal(session: Session, reviewer: User, sub: Submission) -> str | None:
    if not reviewer.can("reviewer"):
        return "only reviewers can review submissions"
    return rules.refusal(reviewer.id, sub.user_id, conflicts_of(session, sub.id))


def record_review(
    session: Session,
    reviewer: User,
    submission_id: int,
    *,
    verdict: str,
    scores: dict[str, dict[str, Any]],
    comment: str = "",
    override_reason: str | None = None,
    config: Mapping[str, Any],
) -> tuple[Review, str | None]:
    """Record one review and apply the outcome; returns the review and the new status, if any."""
    sub = session.get(Submission, submission_id)
    if sub is None or sub.status != "under_review":
        raise Stale("this submission is not under review")
    why_not = refusal(session, reviewer, sub)
    if why_not:
        raise NotAllowed(why_not)
    risks = rules.override_needs(sub.evidence)
    owned = rules.has_verified_account(sub.evidence)
    problems = rules.review_problems(verdict, scores, comment, override_reason, risks, owned)
    if problems:
        raise DirectoryError("the review is not complete", problems)
    if not claim(session, submission_id, {"under_review"}, sub.round):
        raise Stale("this submission was decided meanwhile; your review was not recorded")
    sub = _reload(session, submission_id)
    review = Review(
        submission_id=sub.id,
        reviewer_id=reviewer.id,
        round=sub.round,
        verdict=verdict,
        scores=scores,
        comment=comment.strip()[:4000],
        override_reason=(override_reason or "").strip()[:2000] or None,
    )
    session.add(review)
    session.flush()
    log.record(
        session,
        "reviewed",
        actor_id=reviewer.id,
        submission_id=sub.id,
        round=sub.round,
        verdict=verdict,
        override=bool(review.override_reason),
    )
    reviews = round_reviews(session, sub)
    result = rules.outcome(
        [rules.Verdict(r.reviewer_id, r.verdict, r.override_reason) for r in reviews],
        risks,
        owned,
    )
    if result:
        _decide(session, sub, result, config)
    return review, result


def _decide(session: Session, sub: Submission, result: str, config: Mapping[str, Any]) -> None:
    now = _now()
    sub.status, sub.updated_at = result, now
    if result == "published":
        sub.approved_at = sub.published_at = now
        sub.slug = sub.slug or _free_slug(session, sub.name)
        subject, body = "Your profile is published", "Two reviewers approved your profile."
    elif result == "rejected":
        subject, body = "Your profile was not accepted", "Read the reviewers' feedback."
    else:
        subject, body = "Reviewers asked for changes", "Read the feedback, edit and resubmit."
    log.record(session, result, submission_id=sub.id, round=sub.round)
    _tell(session, sub, subject, body, config)


def _free_slug(session: Session, name: str) -> str:
    base = slugify(name)
    taken = set(
        session.execute(
            sa.select(Submission.slug).where(Submission.slug.like(f"{base}%"))
        ).scalars()
    )
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


def _tell(
    session: Session, sub: Submission, subject: str, body: str, config: Mapping[str, Any]
) -> None:
    user = session.get(User, sub.user_id)
    if user is not None:
        text = f"Hello {user.name},\n\n{body}\n\n— Genuine"
        send_mail(session, user.email, subject, text, config=config)


def queue(session: Session, reviewer: User) -> list[dict[str, Any]]:
    """Submissions under review, oldest first, with what this reviewer may do about each."""
    subs = session.execute(
        sa.select(Submission)
        .where(Submission.status == "under_review")
        .order_by(Submission.submitted_at, Submission.id)
    ).scalars()
    items = []
    for sub in subs:
        verdicts = rules.standing(
            rules.Verdict(r.reviewer_id, r.verdict, r.override_reason)
            for r in round_reviews(session, sub)
        )
        items.append(
            {
                "submission": sub,
                "approvals": sum(v.verdict == "approve" for v in verdicts.values()),
                "rejections": sum(v.verdict == "reject" for v in verdicts.values()),
                "mine": reviewer.id in verdicts,
                "refusal": refusal(session, reviewer, sub),
                "risks": rules.override_needs(sub.evidence),
                "unowned": not rules.has_verified_account(sub.evidence),
            }
        )
    return items
