"""The words Genuine shows for its badges: titles, level words, tones, and durations.

The one copy in Python (pure: the signals, the web pages, the site's hooks and the CLI
all take their words from here), so a report page and a badge's reason say the same
"83 minutes".
"""

from __future__ import annotations

import math

BADGES = ("follower_purchase_risk", "reply_rate", "follow_back_ring")
LEVELS = {
    "follower_purchase_risk": ("low", "medium", "high", "unknown"),
    "reply_rate": ("responsive", "mixed", "unresponsive", "unknown"),
    "follow_back_ring": ("not_member", "member", "unknown"),
}
TITLES = {
    "follower_purchase_risk": "Follower-purchase risk",
    "reply_rate": "Reply rate",
    "follow_back_ring": "Follow-back ring",
}
# Badges on a platform's own pages have little room: the extension's pills use these shorter
# names and level words (content/render.js NAME, LEVEL_WORDS; tested equal on one table).
COMPACT_TITLES = {
    "follower_purchase_risk": "Bought followers",
    "reply_rate": "Replies",
    "follow_back_ring": "Follow-back ring",
}
COMPACT_LEVELS = {"not_member": "not a member", "member": "member of a ring"}
# What each level means for a reader: good, warn (look closer), bad, or unknown.
TONES = {
    "low": "good",
    "medium": "warn",
    "high": "bad",
    "responsive": "good",
    "mixed": "warn",
    "unresponsive": "bad",
    "not_member": "good",
    "member": "bad",
    "unknown": "unknown",
}
ICONS = {"good": "✓", "warn": "!", "bad": "✗", "unknown": "?"}
# A level in two or three words (report pages, profile summaries).
LABELS = {
    "low": "Low risk",
    "medium": "Medium risk",
    "high": "High risk",
    "responsive": "Responsive",
    "mixed": "Mixed",
    "unresponsive": "Unresponsive",
    "member": "Ring member",
    "not_member": "Not in a ring",
    "unknown": "Unknown",
}
# A level as a sentence: what a reader of the directory should take away.
SENTENCES = {
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


def label(level: str) -> str:
    return LABELS.get(level, level)


def icon(level: str) -> str:
    return ICONS[TONES.get(level, "unknown")]


def _half_up(value: float) -> int:
    # Ties round up, the same in JavaScript (Math.floor(x + 0.5)), unlike Python's round().
    return math.floor(value + 0.5)


def duration(seconds: float | None) -> str:
    """Rounded to the unit a reader thinks in: "45 seconds", "9 minutes", "2.5 hours",
    "3 days". Days and hours start at 1.5 units, so 26 hours stays "26 hours"; "—" for None."""
    if seconds is None:
        return "—"
    for unit, size, at_least in (("day", 86400, 1.5), ("hour", 3600, 1.5), ("minute", 60, 1)):
        if seconds >= size * at_least:
            value = seconds / size
            if value >= 10 or unit == "minute":
                text = str(_half_up(value))
            else:
                tenths = _half_up(value * 10)
                text = f"{tenths // 10}" + (f".{tenths % 10}" if tenths % 10 else "")
            return f"1 {unit}" if text == "1" else f"{text} {unit}s"
    count = _half_up(seconds)
    return f"{count} second{'' if count == 1 else 's'}"
