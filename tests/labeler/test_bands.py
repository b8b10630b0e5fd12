import json
from pathlib import Path

from genuine.labeler.bands import LABEL_VALUES, badge_of, bands

SNAPSHOT = Path(__file__).parents[1] / "snapshots" / "demo_world.json"


def card(purchase="unknown", ring="unknown", reply="unknown", equity=None):
    return {
        "badges": {
            "follower_purchase_risk": {"level": purchase},
            "follow_back_ring": {"level": ring},
            "reply_rate": {"level": reply, "equity": {"status": equity} if equity else None},
        }
    }


def test_unknown_card_earns_nothing():
    assert bands(card()) == frozenset()
    assert bands({}) == frozenset()


def test_each_level_maps_to_its_band():
    assert bands(card(purchase="high")) == {"bought-followers-high"}
    assert bands(card(purchase="medium")) == {"bought-followers-medium"}
    assert bands(card(purchase="low")) == frozenset()
    assert bands(card(ring="member")) == {"follow-back-ring"}
    assert bands(card(ring="not_member")) == frozenset()
    assert bands(card(reply="unresponsive")) == {"rarely-answers"}
    assert bands(card(reply="mixed", equity="favours_big")) == {"answers-only-big-accounts"}
    assert bands(card(reply="mixed", equity="even")) == frozenset()


def test_values_are_bands_not_numbers_and_name_their_badge():
    for value in LABEL_VALUES:
        assert not any(ch.isdigit() for ch in value)
        assert len(value) <= 128 and value == value.lower()
        assert badge_of(value) in ("follower_purchase_risk", "follow_back_ring", "reply_rate")


def test_demo_ring_member_card_is_labelled():
    api = json.loads(SNAPSHOT.read_text())["api"]
    ring = api["badge bluesky:ring01.demo.bsky.social"]
    assert bands(ring) == {"follow-back-ring"}
