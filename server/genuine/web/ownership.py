"""`Check now`: a consultant asks for an audit of one of their accounts, which checks the
ownership code in its bio (genuine.directory.ownership). A write: POSTs count against the
write limit (genuine.web.POST_LIMITS)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, url_for
from flask_login import current_user, login_required

from genuine import pipeline
from genuine.db import get_db
from genuine.directory import log, workflow
from genuine.directory.forms import ActionForm

bp = Blueprint("ownership", __name__)


@bp.post("/me/accounts/<int:index>/check")
@login_required
def check(index: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    with get_db().session() as session:
        sub = workflow.of_user(session, current_user.id)
        accounts = sub.profile.get("accounts", []) if sub else []
    if not 0 <= index < len(accounts):
        abort(404)
    platform, handle = accounts[index]["platform"], accounts[index]["handle"]
    verdict = pipeline.can_audit(current_app.config, platform)
    if not verdict:
        flash(
            f"{platform}:{handle} cannot be checked ({verdict.why}): its ownership is unverifiable."
        )
    elif not sub.evidence:
        flash("Submit your profile first: the check records its result on the submission.")
    else:
        with get_db().session() as session, session.begin():
            log.record(
                session, "audit_requested", submission_id=sub.id, platform=platform, handle=handle
            )
        pipeline.request(platform, handle, origin="directory")
        flash(
            f"Check of {platform}:{handle} queued: its bio is read when the audit runs. "
            "Reload this page in a few minutes."
        )
    return redirect(url_for("submit.dashboard"))
