"""Errors as `application/problem+json` (RFC 9457), for every status the API answers.

`about:blank` is the type throughout, so `title` is the HTTP status phrase; a
`code` extension member names the problem for programs, and `detail` says what
to change in words.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from flask import Response
from werkzeug.exceptions import HTTPException

# Requests under this path are API requests: they get problem+json answers, others pages.
PREFIX = "/api/v1"

MEDIA_TYPE = "application/problem+json"


class Problem(HTTPException):
    """Raise anywhere in a request to answer with a problem document."""

    def __init__(self, status: int, code: str, detail: str, **extra: Any) -> None:
        super().__init__(description=detail)
        self.code, self.problem_code, self.extra = status, code, extra

    def get_response(self, environ=None, scope=None) -> Response:
        return problem_response(self.code, self.problem_code, self.description, **self.extra)


def problem_response(status: int, code: str, detail: str, **extra: Any) -> Response:
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "code": code,
        "detail": detail,
        **extra,
    }
    return Response(json.dumps(body), status=status, mimetype=MEDIA_TYPE)


_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


def from_http_exception(error: HTTPException) -> Response:
    """Werkzeug's HTML error pages, turned into problem documents with the same headers."""
    if isinstance(error, Problem):
        return error.get_response()
    status = error.code or 500
    response = problem_response(
        status, _CODES.get(status, "error"), error.description or HTTPStatus(status).description
    )
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response
