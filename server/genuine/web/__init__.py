"""HTML pages: one blueprint per module, registered in `BLUEPRINTS`. Jinja autoescapes."""

from __future__ import annotations

import importlib

from flask import Flask

BLUEPRINTS = [
    "genuine.web.reports",
    "genuine.web.auth",
    "genuine.web.submit",
    "genuine.web.review",
]

LEVEL_WORDS = {
    "low": ("Low risk", "✓"),
    "medium": ("Medium risk", "!"),
    "high": ("High risk", "✗"),
    "responsive": ("Responsive", "✓"),
    "mixed": ("Mixed", "!"),
    "unresponsive": ("Unresponsive", "✗"),
    "member": ("Ring member", "✗"),
    "not_member": ("Not in a ring", "✓"),
    "unknown": ("Unknown", "?"),
}


def init_app(app: Flask) -> None:
    for name in BLUEPRINTS:
        app.register_blueprint(importlib.import_module(name).bp)

    @app.template_filter("level_word")
    def level_word(level: str) -> str:
        return LEVEL_WORDS.get(level, (level, "?"))[0]

    @app.template_filter("level_icon")
    def level_icon(level: str) -> str:
        return LEVEL_WORDS.get(level, (level, "?"))[1]

    @app.template_filter("percent")
    def percent(value: float | None) -> str:
        return "—" if value is None else f"{value:.0%}"

    @app.template_filter("duration")
    def duration(seconds: float | None) -> str:
        if seconds is None:
            return "—"
        for unit, size in (("days", 86400), ("hours", 3600), ("minutes", 60)):
            if seconds >= size:
                return f"{seconds / size:.1f} {unit}"
        return f"{seconds:.0f} seconds"
