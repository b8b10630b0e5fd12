import pytest

from genuine.cards.store import save_cards
from genuine.db import get_db
from tests.cards import make_card


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
