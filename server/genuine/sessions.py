"""Flask's signed-cookie session, opened cheaply when the request carries no session cookie.

Flask builds the cookie signer (an itsdangerous serializer, with its key derivation) on
every request before it looks for the cookie. Badge reads and label queries never carry one,
and they are the hot path (issue 16), so the cookie is looked for first: without it the
session is a new empty one, exactly what Flask would open. Everything else is Flask's.
"""

from __future__ import annotations

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface


class CookieSessionInterface(SecureCookieSessionInterface):
    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and (
            "HTTP_COOKIE" not in request.environ  # no Cookie header: nothing to parse
            or not request.cookies.get(self.get_cookie_name(app))
        ):
            return self.session_class()
        return super().open_session(app, request)
