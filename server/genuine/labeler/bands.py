"""Card → label values: bands, never scores (the atproto label spec advises against numbers).

Pure: a card (the dict served by the API) in, the set of label values it earns out. A
badge at level ``unknown`` earns nothing, so an account the signals cannot judge carries
no label at all.
"""

from __future__ import annotations

from typing import Any

# Every value this labeler can emit, in declaration order.
LABEL_VALUES = (
    "bought-followers-high",
    "bought-followers-medium",
    "follow-back-ring",
    "rarely-answers",
    "answers-only-big-accounts",
)


def _badge(card: dict[str, Any], name: str) -> dict[str, Any]:
    return (card.get("badges") or {}).get(name) or {}


def bands(card: dict[str, Any]) -> frozenset[str]:
    """The label values a card earns now."""
    out: set[str] = set()
    purchase = _badge(card, "follower_purchase_risk").get("level")
    if purchase == "high":
        out.add("bought-followers-high")
    elif purchase == "medium":
        out.add("bought-followers-medium")
    if _badge(card, "follow_back_ring").get("level") == "member":
        out.add("follow-back-ring")
    reply = _badge(card, "reply_rate")
    if reply.get("level") == "unresponsive":
        out.add("rarely-answers")
    if ((reply.get("equity") or {}).get("status")) == "favours_big":
        out.add("answers-only-big-accounts")
    return frozenset(out)


def badge_of(value: str) -> str:
    """The card badge a label value comes from (disputes name badges)."""
    if value.startswith("bought-followers"):
        return "follower_purchase_risk"
    if value == "follow-back-ring":
        return "follow_back_ring"
    return "reply_rate"
