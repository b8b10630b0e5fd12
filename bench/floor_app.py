"""The floor for bench/lookup.py: the cheapest Flask answer to the same request.

It reads the request body and answers a constant JSON body (the file named by
GENUINE_FLOOR_BODY, a real lookup answer captured by the benchmark), so it costs
what gunicorn, Werkzeug and Flask cost and nothing else: no validation, no database,
no rate limiter. Served as `gunicorn -w 2 'floor_app:create_app()'` from bench/.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, Response, request


def create_app() -> Flask:
    body = Path(os.environ["GENUINE_FLOOR_BODY"]).read_bytes()
    app = Flask(__name__)

    @app.post("/api/v1/badges/lookup")
    def lookup() -> Response:
        request.get_data()
        return Response(body, mimetype="application/json")

    @app.get("/api/v1/meta")
    def meta() -> Response:
        return Response("{}", mimetype="application/json")

    return app
