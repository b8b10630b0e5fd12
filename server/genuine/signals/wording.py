"""Numbers in the plain words of badge reasons, worded the same way by every signal."""

from __future__ import annotations

from genuine.vocabulary import duration

__all__ = ["duration", "pct", "plural"]


def pct(x: float) -> str:
    """A share as a whole percentage: 0.934 -> "93%"."""
    return f"{100 * x:.0f}%"


def plural(count: int, word: str) -> str:
    """A count and its noun: "1 question", "1,204 questions" (regular plurals only)."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"
