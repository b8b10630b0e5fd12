"""Badge cards for tests: the shape of DESIGN.md, with numbers tests can look for."""

from __future__ import annotations

from typing import Any


def make_card(
    platform: str,
    handle: str,
    *,
    risk: str = "low",
    score: float = 0.07,
    reply: str = "responsive",
    ring: str = "not_member",
    reason: str | None = None,
    reasons: list[str] | None = None,
) -> dict[str, Any]:
    """A card; `reason` (one) or `reasons` (several) replace the purchase-risk reason text."""
    texts = (
        [reason]
        if reason
        else reasons or [f"{int(score * 100)}% of a sample of 2000 followers look bought"]
    )
    return {
        "platform": platform,
        "handle": handle,
        "computed_at": "2026-11-23T20:00:00+00:00",
        "badges": {
            "follower_purchase_risk": {
                "level": risk,
                "score": score,
                "interval": [round(max(0.0, score - 0.03), 2), round(min(1.0, score + 0.04), 2)],
                "sample_size": 2000,
                "reasons": [{"code": f"r{i}", "text": t} for i, t in enumerate(texts)],
            },
            "reply_rate": {
                "level": reply,
                "answered_share": 0.93,
                "median_reply_seconds": 534,
                "sample_size": 191,
                "equity": None,
                "reasons": [{"code": "answered", "text": "answers 93% of the replies it gets"}],
            },
            "follow_back_ring": {
                "level": ring,
                "ring_id": "ring-1" if ring == "member" else None,
                "ring_size": 12 if ring == "member" else None,
                "density": 0.8 if ring == "member" else None,
                "reasons": [],
            },
        },
        "model_version": "test-1",
        "report_url": f"http://127.0.0.1:5000/report/{platform}/{handle}",
    }
