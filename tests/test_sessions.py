"""genuine.sessions: the cookie session opened without its signer when there is no cookie."""

from __future__ import annotations

from flask import session
from flask.sessions import SecureCookieSessionInterface

from genuine import create_app
from genuine.sessions import CookieSessionInterface


def _app(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "k", "INSTANCE_PATH": str(tmp_path)})

    @app.get("/_set")
    def _set():
        session["n"] = session.get("n", 0) + 1
        return str(session["n"])

    return app


def test_the_app_uses_it(tmp_path):
    assert isinstance(_app(tmp_path).session_interface, CookieSessionInterface)


def test_no_cookie_builds_no_signer(tmp_path, monkeypatch):
    app = _app(tmp_path)
    built = []
    real = SecureCookieSessionInterface.get_signing_serializer
    monkeypatch.setattr(
        SecureCookieSessionInterface,
        "get_signing_serializer",
        lambda self, a: built.append(1) or real(self, a),
    )
    with app.test_request_context("/") as ctx:
        opened = app.session_interface.open_session(app, ctx.request)
        assert dict(opened) == {} and not opened.modified
    assert built == []


def test_sessions_still_round_trip(tmp_path):
    client = _app(tmp_path).test_client()
    assert client.get("/_set").text == "1"
    assert client.get("/_set").text == "2"  # the signed cookie was read back
    client.delete_cookie("session")
    assert client.get("/_set").text == "1"


def test_a_forged_cookie_is_an_empty_session(tmp_path):
    client = _app(tmp_path).test_client()
    client.set_cookie("session", "forged.value.sig")
    assert client.get("/_set").text == "1"


def test_without_a_secret_key_flask_decides(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": None, "INSTANCE_PATH": str(tmp_path)})
    with app.test_request_context("/") as ctx:
        assert app.session_interface.open_session(app, ctx.request) is None
