"""Consultants' Markdown, rendered and sanitised: the only HTML from them the pages ever show."""

from __future__ import annotations

import re
import unicodedata

import nh3
from markdown_it import MarkdownIt

# CommonMark with raw HTML off: tags typed in a biography come out as text, not markup.
_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False}).disable("image")
ALLOWED_TAGS = {"p", "br", "em", "strong", "a", "ul", "ol", "li", "blockquote", "code", "pre"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


def render_bio(text: str) -> str:
    """Markdown to HTML that is safe to insert as is (nh3 drops everything not allowed,
    keeps only http(s)/mailto links and marks them rel="noopener noreferrer nofollow")."""
    return nh3.clean(
        _MARKDOWN.render(text or ""),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def slugify(name: str) -> str:
    """ASCII, lower case, words joined by hyphens; "consultant" when nothing is left."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:80]
    return slug or "consultant"
