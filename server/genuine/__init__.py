"""Genuine: authenticity badges for social-media accounts."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

from genuine.version import __version__ as __version__  # `genuine.__version__`, for tools


class ConfigurationError(RuntimeError):
    """The configuration cannot work; the message says what to change."""


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the Flask app: defaults, instance/config.py, GENUINE_* env, then test config."""
    instance_path = Path(
        (test_config or {}).get("INSTANCE_PATH")
        or os.environ.get("GENUINE_INSTANCE_PATH")
        or Path.cwd() / "instance"
    ).resolve()
    app = Flask(
        __name__,
        instance_path=str(instance_path),
        instance_relative_config=True,
        static_folder="web/static",
        template_folder="web/templates",
    )
    app.config.from_object("genuine.config")
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env(prefix="GENUINE")
    if test_config:
        app.config.update(test_config)
    app.config["INSTANCE_PATH"] = str(instance_path)
    if app.config.get("SESSION_COOKIE_SECURE") is None:
        # Flask would send the session cookie over plain HTTP too; only development may.
        app.config["SESSION_COOKIE_SECURE"] = app.config["ENVIRONMENT"] != "development"
    _refuse_unsafe(app)
    if proxies := int(app.config.get("TRUSTED_PROXIES") or 0):
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    instance_path.mkdir(parents=True, exist_ok=True)

    # App factory: blueprints and the pipeline load when an app is built, so `import genuine`
    # (the CLI entry point, the version) stays light.
    from genuine import api, db, pipeline, web
    from genuine.directory.hooks import AFTER_AUDIT
    from genuine.sessions import CookieSessionInterface

    app.session_interface = CookieSessionInterface()
    db.init_app(app)
    api.init_app(app)
    web.init_app(app)
    for hook in AFTER_AUDIT:
        pipeline.after_audit(hook)
    return app


def _refuse_unsafe(app: Flask) -> None:
    from genuine.config import DEFAULT_SECRET_KEY

    if app.config["ENVIRONMENT"] != "development" and app.config["SECRET_KEY"] in (
        DEFAULT_SECRET_KEY,
        "",
        None,
    ):
        raise ConfigurationError(
            f"GENUINE_ENVIRONMENT is {app.config['ENVIRONMENT']!r} but the secret key is the "
            "development default: set GENUINE_SECRET_KEY to a long random value"
        )
