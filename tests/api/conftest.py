import pytest

from genuine.cardstore import save_cards
from genuine.db import get_db


def make_card(platform: str, handle: str, *, risk: str = "low", reason: str = "ok") -> dict:
    return {
        "platform": platform,
        "handle": handle,
        "computed_at": "2026-11-23T20:00:00+00:00",
        "badges": {
            "follower_purchase_risk": {
                "level": risk,
                "score": 0.07,
                "interval": [0.04, 0.11],
                "sample_size": 2000,
                "reasons": [{"code": "sample", "text": reason}],
            },
            "reply_rate": {
                "level": "responsive",
                "answered_share": 0.93,
                "median_reply_seconds": 534,
                "sample_size": 191,
                "equity": None,
                "reasons": [],
            },
            "follow_back_ring": {
                "level": "not_member",
                "ring_id": None,
                "ring_size": None,
                "density": None,
                "reasons": [],
            },
        },
        "model_version": "test-1",
        "report_url": f"http://127.0.0.1:5000/report/{platform}/{handle}",
    }


@pytest.fixture
def cards(app):
    made = [
        make_card("x", "amazonhelp"),
        make_card("bluesky", "alice.bsky.social", risk="high"),
        make_card("mastodon", "gargron@mastodon.social"),
        make_card("x", "evil", reason='<img src=x onerror="alert(1)"> "quotes" ünïcode'),
    ]
    with get_db(app).engine.begin() as conn:
        save_cards(conn, made)
    return made
