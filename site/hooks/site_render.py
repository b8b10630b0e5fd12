"""Jinja environment shared by the site's hooks: autoescaping on, helpers for dates,
shares, level words and the biography sanitiser.

Autoescape is the rule for every string that reaches a page; the one exception is the
biography, which arrives as HTML already cleaned by nh3 upstream and is cleaned again
here with a narrower allowlist, because a bug upstream should not become a hole here.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import nh3
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from genuine import vocabulary

TEMPLATES = Path(__file__).resolve().parent / "templates"

BIO_TAGS = {"p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a", "blockquote", "code"}

# Levels in words, titles and tones: the one copy in genuine.vocabulary.
WORDS, TITLES = vocabulary.SENTENCES, vocabulary.TITLES


def clean_bio(html: str) -> Markup:
    """Sanitise a biography again (defence in depth) and mark it safe for the template."""
    cleaned = nh3.clean(
        html,
        tags=BIO_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer ugc",
    )
    return Markup(cleaned)


def tone(level: str) -> str:
    """CSS modifier for a level: good, bad or neutral (medium, mixed, unknown)."""
    found = vocabulary.TONES.get(level, "unknown")
    return found if found in ("good", "bad") else "neutral"


def date(value: str | None) -> str:
    """An ISO 8601 timestamp as '23 November 2026' (empty for None)."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value)
    return f"{moment.day} {moment:%B %Y}"


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(date=date, percent=percent, duration=vocabulary.duration, tone=tone)
    env.globals.update(WORDS=WORDS, TITLES=TITLES, clean_bio=clean_bio)
    return env


def frontmatter(meta: dict[str, Any]) -> str:
    """YAML front matter for a generated page (values must already be escaped)."""
    import yaml

    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n"
