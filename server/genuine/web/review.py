"""Reviewers: the queue, one submission with its evidence and the rubric; admins: delisting.

The rules (genuine.directory.rules) decide; these views only show and forward. A refused
action answers 403 with the reason, a decision taken meanwhile by someone else 409.
"""

from __future__ import annotations

from types import SimpleNamespace

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from genuine.db import get_db
from genuine.directory import log, rules, workflow
from genuine.directory.forms import ConflictForm, ReasonForm, ReviewForm
from genuine.models import Review, Submission, User
from genuine.web.auth import role_required

bp = Blueprint("review", __name__)


@bp.get("/review")
@role_required("reviewer")
def queue():
    with get_db().session() as session:
        items = workflow.queue(session, current_user)
        published = list(
            session.execute(
                sa.select(Submission)
                .where(Submission.status == "published")
                .order_by(Submission.published_at.desc())
            ).scalars()
        )
    return render_template("review/queue.html", items=items, published=published)


def _page(submission_id: int, form: ReviewForm | None = None, status: int = 200):
    with get_db().session() as session:
        sub = session.get(Submission, submission_id)
        # Reviewers see only what was submitted, as it was submitted: a never-submitted draft
        # (withdrawn or not) and edits saved since are the consultant's alone.
        if sub is None or sub.submitted is None:
            abort(404)
        shown = SimpleNamespace(**sub.submitted, evidence=sub.evidence)
        owner = session.get(User, sub.user_id)
        reviews = list(
            session.execute(
                sa.select(Review, User.name)
                .join(User, User.id == Review.reviewer_id)
                .where(Review.submission_id == sub.id)
                .order_by(Review.round.desc(), Review.id)
            ).all()
        )
        refusal = workflow.refusal(session, current_user, sub)
        history = log.entries(session, sub.id)
    return (
        render_template(
            "review/detail.html",
            sub=sub,
            shown=shown,
            owner=owner,
            reviews=reviews,
            history=history,
            refusal=refusal,
            risks=rules.override_needs(sub.evidence),
            unowned=not rules.has_verified_account(sub.evidence),
            form=form or ReviewForm(),
            conflict=ConflictForm(),
            delist=ReasonForm(),
            criteria=rules.CRITERIA,
            verdicts=rules.VERDICTS,
        ),
        status,
    )


@bp.get("/review/<int:submission_id>")
@role_required("reviewer")
def detail(submission_id: int):
    return _page(submission_id)


@bp.post("/review/<int:submission_id>")
@role_required("reviewer")
def review(submission_id: int):
    form = ReviewForm()
    if not form.validate_on_submit():
        return _page(submission_id, form, 400)
    try:
        with get_db().session() as session, session.begin():
            _, result = workflow.record_review(
                session,
                current_user,
                submission_id,
                verdict=form.verdict.data,
                scores=form.scores(),
                comment=form.comment.data or "",
                override_reason=form.override_reason.data,
                config=current_app.config,
            )
    except workflow.DirectoryError as error:
        for name, message in error.fields.items():
            field = getattr(form, f"score_{name}", None) or getattr(form, name, None)
            if field is not None:
                field.errors = [*field.errors, message]
        flash(error.message)
        return _page(submission_id, form, error.status)
    words = {
        "published": "Recorded: that was the second approval, the profile is published.",
        "rejected": "Recorded: the profile is rejected.",
        "changes_requested": "Recorded: the profile went back to the consultant for changes.",
    }
    flash(words.get(result, "Recorded. The profile needs more reviews before a decision."))
    return redirect(url_for("review.queue"))


@bp.post("/review/<int:submission_id>/conflict")
@role_required("reviewer")
def conflict(submission_id: int):
    form = ConflictForm()
    if not form.validate_on_submit():
        abort(400)
    with get_db().session() as session, session.begin():
        if session.get(Submission, submission_id) is None:
            abort(404)
        workflow.declare_conflict(session, current_user, submission_id, form.reason.data)
    flash("Conflict recorded: you will not review this profile.")
    return redirect(url_for("review.queue"))


@bp.post("/review/<int:submission_id>/delist")
@role_required("admin")
def delist(submission_id: int):
    form = ReasonForm()
    if not form.validate_on_submit():
        flash("Give the reason for delisting, in at least 10 characters.")
        return redirect(url_for("review.detail", submission_id=submission_id))
    try:
        with get_db().session() as session, session.begin():
            workflow.delist(
                session, current_user, submission_id, form.reason.data, config=current_app.config
            )
    except workflow.DirectoryError as error:
        flash(error.message)
        return redirect(url_for("review.detail", submission_id=submission_id))
    flash("Delisted. The consultant was told why and may appeal.")
    return redirect(url_for("review.queue"))
