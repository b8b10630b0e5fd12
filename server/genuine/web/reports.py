"""Report pages: each badge with its level, numbers, reasons and charts; a dispute form."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for

from genuine import reports
from genuine.db import get_db
from genuine.handles import check
from genuine.web.forms import DisputeForm, LookupForm

bp = Blueprint("reports", __name__)


@bp.get("/")
def index():
    form = LookupForm(request.args)
    if request.args and form.validate():
        handle = check(form.platform.data, form.handle.data)
        if handle:
            return redirect(url_for("reports.report", platform=form.platform.data, handle=handle))
        form.handle.errors.append(f"that is not a {form.platform.data} handle")
    from genuine.demo import SHOWCASE

    with get_db().engine.connect() as conn:
        showcase = [
            (key.split(":", 1), what)
            for key, what in SHOWCASE.items()
            if reports.load(conn, *key.split(":", 1)) is not None
        ]
    return render_template("index.html", form=form, showcase=showcase)


def _report_or_404(platform: str, handle: str) -> tuple[str, reports.Report]:
    normal = check(platform, handle)
    if normal is None:
        abort(404)
    with get_db().engine.connect() as conn:
        found = reports.load(conn, platform, normal)
    if found is None:
        abort(404)
    return normal, found


@bp.route("/report/<platform>/<handle>", methods=["GET", "POST"])
def report(platform: str, handle: str):
    handle, found = _report_or_404(platform, handle)
    form = DisputeForm()
    if request.method == "POST" and form.validate():
        with get_db().session() as session, session.begin():
            reports.dispute(
                session, platform, handle, form.badge.data, form.reason.data, form.contact.data
            )
        flash("Thank you: the dispute is recorded and the report now shows it.")
        return redirect(url_for("reports.report", platform=platform, handle=handle))
    drawn = reports.charts(get_db().engine, platform, handle, found)
    status = 400 if request.method == "POST" else 200
    return (
        render_template(
            "report.html",
            card=found.card,
            evidence=found.evidence,
            disputes=found.disputes,
            charts={name: chart["alt"] for name, chart in drawn.items()},
            form=form,
        ),
        status,
    )


@bp.get("/report/<platform>/<handle>/charts/<name>.svg")
def chart(platform: str, handle: str, name: str):
    handle, found = _report_or_404(platform, handle)
    drawn = reports.charts(get_db().engine, platform, handle, found)
    if name not in drawn:
        abort(404)
    response = Response(drawn[name]["svg"], mimetype="image/svg+xml")
    response.set_etag(f"{found.etag}-{name}")
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response.make_conditional(request)
