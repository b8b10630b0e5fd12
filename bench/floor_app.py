"""The floor for bench/lookup.py and bench/labeler.py: the cheapest Flask answer.

It reads the request (body or query string) and answers a constant JSON body (the file
named by GENUINE_FLOOR_BODY, a real answer captured by the benchmark: a lookup, or a
queryLabels), so it costs
what gunicorn, Werkzeug and Flask cost and nothing else: no validation, no database,
no rate limiter. With GENUINE_FLOOR_RANGES_BODY it answers POST /api/v1/badges/ranges
the same way (a captured private-mode answer). Served as
`gunicorn -w 2 'floor_app:create_app()'` from bench/.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, Response, request


def create_app() -> Flask:
    body, ranges_body = (
        Path(os.environ[name]).read_bytes() if name in os.environ else b"{}"
        for name in ("GENUINE_FLOOR_BODY", "GENUINE_FLOOR_RANGES_BODY")
    )
    app = Flask(__name__)

    @app.post("/api/v1/badges/lookup")
    def lookup() -> Response:
        request.get_data()
        return Response(body, mimetype="application/json")

    @app.post("/api/v1/badges/ranges")
    def by_ranges() -> Response:
        request.get_data()
        return Response(ranges_body, mimetype="application/json")

    @app.get("/xrpc/com.atproto.label.queryLabels")
    def query_labels() -> Response:
        request.args.getlist("uriPatterns")
        return Response(body, mimetype="application/json")

    @app.get("/api/v1/meta")
    def meta() -> Response:
        return Response("{}", mimetype="application/json")

    return app
