"""A consultant's own profile: edit and save drafts, submit, withdraw, read feedback, appeal."""

from __future__ import annotations

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from genuine.db import get_db
from genuine.directory import ownership, rules, workflow
from genuine.directory.forms import ActionForm, AppealForm, ProfileForm, form_data
from genuine.models import Review

bp = Blueprint("submit", __name__)


def _mine():
    with get_db().session() as session:
        return workflow.of_user(session, current_user.id)


@bp.get("/me")
@login_required
def dashboard():
    with get_db().session() as session:
        sub = workflow.of_user(session, current_user.id)
        reviews = []
        if sub is not None:
            reviews = list(
                session.execute(
                    sa.select(Review)
                    .where(Review.submission_id == sub.id)
                    .order_by(Review.round.desc(), Review.id)
                ).scalars()
            )
    # Reviewers stay anonymous to the consultant: numbered per submission, in order of arrival.
    numbers: dict[int, int] = {}
    for review in sorted(reviews, key=lambda r: r.id):
        numbers.setdefault(review.reviewer_id, len(numbers) + 1)
    return render_template(
        "submit/dashboard.html",
        sub=sub,
        reviews=reviews,
        numbers=numbers,
        criteria=rules.CRITERIA,
        verdicts=rules.VERDICTS,
        risks=rules.override_needs(sub.evidence) if sub else [],
        owned=ownership.accounts_view(sub, current_app.config),
        action=ActionForm(),
        appeal=AppealForm(),
        rules=rules,
    )


@bp.route("/me/profile", methods=["GET", "POST"])
@login_required
def edit():
    sub = _mine()
    if sub is not None and sub.status not in rules.EDITABLE:
        flash(workflow._why_not_editable(sub.status))
        return redirect(url_for("submit.dashboard"))
    if request.method == "GET":
        form = ProfileForm(data=form_data(sub.profile) if sub else {"name": current_user.name})
        return render_template("submit/edit.html", form=form, sub=sub)
    form = ProfileForm()
    if not form.validate():
        flash("Some fields need attention: see the messages next to them.")
        return render_template("submit/edit.html", form=form, sub=sub), 400
    profile = form.profile()
    try:
        with get_db().session() as session, session.begin():
            workflow.save_profile(session, current_user, profile)
    except workflow.DirectoryError as error:
        flash(error.message)
        return redirect(url_for("submit.dashboard"))
    if request.form.get("action") != "submit":
        flash("Draft saved. Nobody sees it until you submit it.")
        return redirect(url_for("submit.edit"))
    missing = rules.missing_for_submit(profile)
    if missing:
        for name, message in missing.items():
            if name == "accounts":
                form.group_errors.setdefault(name, []).append(message)
            else:
                getattr(form, name).errors = [*getattr(form, name).errors, message]
        flash("Draft saved, but not submitted: some fields are still needed.")
        return render_template("submit/edit.html", form=form, sub=_mine()), 400
    return _act(
        lambda session: workflow.submit(session, current_user, config=current_app.config),
        "Submitted for review.",
    )


def _act(action, done: str):
    try:
        with get_db().session() as session, session.begin():
            action(session)
    except workflow.DirectoryError as error:
        flash(error.message)
        return redirect(url_for("submit.dashboard"))
    flash(done)
    return redirect(url_for("submit.dashboard"))


@bp.post("/me/submit")
@login_required
def submit():
    if not ActionForm().validate_on_submit():
        abort(400)
    return _act(
        lambda s: workflow.submit(s, current_user, config=current_app.config),
        "Submitted for review.",
    )


@bp.post("/me/withdraw")
@login_required
def withdraw():
    if not ActionForm().validate_on_submit():
        abort(400)
    return _act(lambda s: workflow.withdraw(s, current_user), "Withdrawn.")


@bp.post("/me/appeal")
@login_required
def appeal():
    form = AppealForm()
    if not form.validate_on_submit():
        flash("Say why reviewers should look again, in at least 10 characters.")
        return redirect(url_for("submit.dashboard")), 400
    return _act(
        lambda s: workflow.appeal(s, current_user, form.statement.data, config=current_app.config),
        "Appeal sent: your profile is back in the review queue.",
    )
