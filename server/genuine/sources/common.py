"""Helpers the platform modules share: dates, HTML to text, handles, post ids."""

from __future__ import annotations

import hashlib
import html
import re
from datetime import UTC, datetime
from typing import Any

POST_ID_MAX = 64  # Post.post_id's column width

_BREAKS = re.compile(r"<\s*(br|/p|/li)\s*/?\s*>", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]*>")


def html_text(value: str | None) -> str | None:
    """Plain text of a Mastodon HTML fragment (bios, statuses): tags dropped, entities decoded."""
    if not value:
        return None
    text = html.unescape(_TAGS.sub("", _BREAKS.sub("\n", value))).strip()
    return text or None


def parse_time(value: Any) -> datetime | None:
    """A platform timestamp (ISO 8601, maybe with Z) as an aware UTC datetime, or None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def domain(text: str) -> str:
    """A domain in ASCII (IDNA), lower case: `Bücher.Social` → `xn--bcher-kva.social`."""
    text = text.strip().strip(".").lower()
    try:
        return text.encode("idna").decode("ascii")
    except UnicodeError:
        return text


def short_id(value: str) -> str:
    """`value` if it fits the post_id column, else a stable hash of it."""
    if len(value) <= POST_ID_MAX:
        return value
    return "h:" + hashlib.sha256(value.encode()).hexdigest()[:40]


def as_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def enough(own: int, limit: int, found: int, wanted: int) -> str | None:
    """Why an audit stops reading the account's posts now (AUDIT_POSTS or AUDIT_QUESTIONS
    reached), or None to read on."""
    if own >= limit:
        return f"{limit} posts read (AUDIT_POSTS)"
    if wanted and found >= wanted:
        return f"enough questions (AUDIT_QUESTIONS is {wanted})"
    return None
