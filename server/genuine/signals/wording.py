"""Numbers in the plain words of badge reasons, worded the same way by every signal."""

from __future__ import annotations


def pct(x: float) -> str:
    """A share as a whole percentage: 0.934 -> "93%"."""
    return f"{100 * x:.0f}%"


def plural(count: int, word: str) -> str:
    """A count and its noun: "1 question", "1,204 questions" (regular plurals only)."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def duration(seconds: float) -> str:
    """Rounded to the unit a reader thinks in: "45 seconds", "9 minutes", "2.5 hours",
    "3 days". Days and hours start at 1.5 units, so 26 hours stays "26 hours"."""
    for unit, size, at_least in (("day", 86400, 1.5), ("hour", 3600, 1.5), ("minute", 60, 1)):
        if seconds >= size * at_least:
            value = seconds / size
            text = f"{value:.0f}" if value >= 10 or unit == "minute" else f"{value:.1f}"
            return f"{text.removesuffix('.0')} {unit}s" if text != "1" else f"1 {unit}"
    return plural(round(seconds), "second")
