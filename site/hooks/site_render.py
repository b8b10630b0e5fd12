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

TEMPLATES = Path(__file__).resolve().parent / "templates"

BIO_TAGS = {"p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a", "blockquote", "code"}

# Levels in words: what a reader should take away, not the enum.
WORDS = {
    "follower_purchase_risk": {
        "low": "Low risk of bought followers",
        "medium": "Some followers look bought",
        "high": "Many followers look bought",
        "unknown": "Not enough evidence about bought followers",
    },
    "reply_rate": {
        "responsive": "Answers people, and fast",
        "mixed": "Answers some people",
        "unresponsive": "Rarely answers people",
        "unknown": "Not enough questions to judge replies",
    },
    "follow_back_ring": {
        "not_member": "Not in a follow-back ring",
        "member": "Member of a follow-back ring",
        "unknown": "Not enough follow data to judge rings",
    },
}
TITLES = {
    "follower_purchase_risk": "Follower-purchase risk",
    "reply_rate": "Reply rate",
    "follow_back_ring": "Follow-back ring",
}
GOOD = {"low", "responsive", "not_member"}
BAD = {"high", "unresponsive", "member"}


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
    return "good" if level in GOOD else "bad" if level in BAD else "neutral"


def date(value: str | None) -> str:
    """An ISO 8601 timestamp as '23 November 2026' (empty for None)."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value)
    return f"{moment.day} {moment:%B %Y}"


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def duration(seconds: float | None) -> str:
    """Seconds in the unit a person would say: '9 minutes', '5.7 hours'."""
    if seconds is None:
        return "—"
    if seconds < 90:
        return f"{seconds:.0f} seconds"
    if seconds < 5400:
        return f"{seconds / 60:.0f} minutes"
    if seconds < 172800:
        return f"{seconds / 3600:.1f} hours"
    return f"{seconds / 86400:.1f} days"


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(date=date, percent=percent, duration=duration, tone=tone)
    env.globals.update(WORDS=WORDS, TITLES=TITLES, clean_bio=clean_bio)
    return env


def frontmatter(meta: dict[str, Any]) -> str:
    """YAML front matter for a generated page (values must already be escaped)."""
    import yaml

    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n"
