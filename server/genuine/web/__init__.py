"""HTML pages: one blueprint per module, registered in `BLUEPRINTS`. Jinja autoescapes."""

from __future__ import annotations

import importlib

from flask import Flask, current_app

from genuine import vocabulary

BLUEPRINTS = [
    "genuine.web.reports",
    "genuine.web.auth",
    "genuine.web.submit",
    "genuine.web.review",
    "genuine.web.ownership",
    "genuine.labeler.xrpc",  # /xrpc/com.atproto.label.* (issue 14)
    "genuine.labeler.appeals",  # /xrpc/com.atproto.moderation.createReport (issue 14)
]
# Forms anyone may post, counted per IP against a stricter limit than reads (genuine.limits):
# sign-in, sign-up and reset cost an argon2 hash or a mail; a dispute and an ownership
# check (it queues an audit) and a Bluesky report (it stores a dispute) are writes.
POST_LIMITS = {
    "genuine.web.auth": "RATE_LIMIT_AUTH",
    "genuine.web.reports": "RATE_LIMIT_WRITE",
    "genuine.web.ownership": "RATE_LIMIT_WRITE",
    "genuine.labeler.appeals": "RATE_LIMIT_WRITE",
}

# On every HTML page (a response may set its own, as the SVG charts do): no framing
# (clickjacking of review and delist buttons), nothing but this site's own scripts, styles,
# images and form targets, and no reset token in a Referer header to other sites.
HTML_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def init_app(app: Flask) -> None:
    limiter = app.extensions["genuine.limiter"]
    for name in BLUEPRINTS:
        bp = importlib.import_module(name).bp
        if name in POST_LIMITS:
            limiter.limit(
                lambda setting=POST_LIMITS[name]: current_app.config[setting],
                methods=["POST"],
                per_method=True,
            )(bp)
        app.register_blueprint(bp)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if response.mimetype == "text/html":
            for name, value in HTML_HEADERS.items():
                response.headers.setdefault(name, value)
        return response

    from genuine.web.waiting import waiting_audits

    app.jinja_env.globals["waiting_audits"] = waiting_audits

    @app.template_filter("level_word")
    def level_word(level: str) -> str:
        return vocabulary.label(level)

    @app.template_filter("level_icon")
    def level_icon(level: str) -> str:
        return vocabulary.icon(level)

    @app.template_filter("percent")
    def percent(value: float | None) -> str:
        return "—" if value is None else f"{value:.0%}"

    app.add_template_filter(vocabulary.duration, "duration")
