"""Platforms and their handles: the syntax each allows, how a handle is stored, and which
handles are refused because no lookup could ever find them.

The one copy of these rules in Python (no Flask, no database, so the signals may use it):
the API, the web forms, the importers, the sources, the store and the signals take them
from here. The extension has its own copy (extension/lib/accounts.js and
extension/content/core.js), tested equal to `parse` on tests/handles_cases.json.

- `normalise(text)`: the stored form, no judgement (lower case, no leading @, no blanks).
- `check(platform, handle)`: a handle as typed into the API or a form (one optional @).
- `parse(platform, text)`: a handle found in a file or on a page (blanks around, @s in front).
- `refusal(platform, text)`: why `parse` refuses it, in words for an error message.
"""

from __future__ import annotations

import re

PLATFORMS = ("x", "bluesky", "mastodon", "instagram")
NAMES = {"x": "X", "bluesky": "Bluesky", "mastodon": "Mastodon", "instagram": "Instagram"}

_DOMAIN = r"([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
# What each platform allows in a handle; case does not matter and a leading @ is dropped.
SYNTAX = {
    "x": r"[A-Za-z0-9_]{1,15}",
    "instagram": r"[A-Za-z0-9._]{1,30}",
    # Bluesky handles are domain names (atproto.com/specs/handle), at most 253 characters.
    "bluesky": _DOMAIN + r"[A-Za-z][A-Za-z0-9-]{0,61}",
    # Mastodon: username@instance (docs.joinmastodon.org, WebFinger acct: URIs).
    "mastodon": r"[A-Za-z0-9_]{1,30}@" + _DOMAIN + r"[A-Za-z]{2,63}",
}
# The longest handle as typed, a leading @ included.
MAX_LENGTH = {"x": 16, "instagram": 31, "bluesky": 254, "mastodon": 300}
# The width of every handle column in the store: a longer handle can never be stored.
STORED_MAX = 255
HINTS = {
    "x": "1 to 15 letters, digits or underscores",
    "instagram": "1 to 30 letters, digits, periods or underscores",
    "bluesky": "a domain name such as alice.bsky.social",
    "mastodon": "user@instance, such as gargron@mastodon.social",
}
# Exactly what JavaScript's String.prototype.trim() removes, so the extension trims alike.
BLANKS = (
    "\t\n\v\f\r \xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)
_MATCHERS = {p: re.compile(f"@?({syntax})") for p, syntax in SYNTAX.items()}
_SPACE = re.compile(r"\s")


def normalise(handle: str) -> str:
    """The stored form: blanks around and leading @s removed, lower case. Mastodon keeps
    `user@instance`. It judges nothing: `parse` and `check` do."""
    return handle.strip(BLANKS).lstrip("@").strip(BLANKS).lower()


def check(platform: str, handle: str) -> str | None:
    """The normalised handle (lower case, no @), or None when `handle`, as typed into the API
    or a form, cannot be one on `platform`."""
    if platform not in _MATCHERS or len(handle) > MAX_LENGTH[platform]:
        return None
    match = _MATCHERS[platform].fullmatch(handle)
    return match.group(1).lower() if match else None


def parse(platform: str, text: str) -> str | None:
    """The stored form of a handle read from a file or a page, or None when no lookup could
    ever find it (see `refusal` for why)."""
    normal = text.strip(BLANKS).lstrip("@").strip(BLANKS)
    if len(normal) > STORED_MAX:
        return None
    return check(platform, normal)


def refusal(platform: str, text: str) -> str | None:
    """Why `parse(platform, text)` is None, as the end of a sentence ("is empty"), or None."""
    if parse(platform, text) is not None:
        return None
    if platform not in _MATCHERS:
        return f"is on an unknown platform {platform!r} (one of: {', '.join(PLATFORMS)})"
    normal = normalise(text)
    longest = min(MAX_LENGTH[platform] - 1, STORED_MAX)
    if not normal:
        return "holds no handle"
    if len(normal) > longest:
        return f"is longer than {longest} characters"
    if _SPACE.search(normal):
        return "holds a space"
    if "<" in normal or ">" in normal:
        return "holds HTML (< or >)"
    if platform == "mastodon" and "@" not in normal:
        return "has no instance: a Mastodon handle is user@instance"
    return f"is not a {NAMES[platform]} handle ({HINTS[platform]})"
