"""Reading precomputed cards: key reads that return the stored JSON text untouched."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import sqlalchemy as sa

from genuine.models import BadgeCard, lookup_key

_card = BadgeCard.__table__.c
_TEXT = sa.cast(_card.card, sa.Text).label("card")


@dataclass(frozen=True)
class StoredCard:
    key: str
    platform: str
    handle: str
    text: str
    etag: str


# Statements built once: a lookup is on the hot path, and SQLAlchemy caches their compiled form.
_SELECT = sa.select(_card.lookup_key, _card.platform, _card.handle, _TEXT, _card.etag)
_ONE = _SELECT.where(_card.lookup_key == sa.bindparam("key"))
_MANY = _SELECT.where(_card.lookup_key.in_(sa.bindparam("keys", expanding=True)))
# Hex keys starting with a prefix sort between it and prefix + "g" ('g' follows 'f').
_RANGE = _SELECT.where(
    _card.lookup_key >= sa.bindparam("low"), _card.lookup_key < sa.bindparam("high")
).order_by(_card.lookup_key)


def one(conn: sa.Connection, platform: str, handle: str) -> StoredCard | None:
    row = conn.execute(_ONE, {"key": lookup_key(platform, handle)}).first()
    return StoredCard(*row) if row else None


def many(conn: sa.Connection, keys: list[str]) -> dict[str, StoredCard]:
    """Cards by lookup key (see genuine.models.lookup_key); missing keys are left out."""
    return {row[0]: StoredCard(*row) for row in conn.execute(_MANY, {"keys": keys})}


def by_prefix(conn: sa.Connection, prefix: str) -> list[StoredCard]:
    return [StoredCard(*row) for row in conn.execute(_RANGE, {"low": prefix, "high": prefix + "g"})]


class CardCount:
    """The number of cards, refreshed at most every `ttl` seconds (it sets the prefix length)."""

    def __init__(self, ttl: float = 60.0) -> None:
        self.ttl, self.value, self.at = ttl, 0, -math.inf

    def get(self, engine: sa.Engine) -> int:
        now = time.monotonic()
        if now - self.at > self.ttl:
            with engine.connect() as conn:
                self.value = conn.execute(
                    sa.select(sa.func.count()).select_from(BadgeCard)
                ).scalar()
            self.at = now
        return self.value


def prefix_length(cards: int, bucket: int) -> int:
    """Hex digits such that a bucket holds about `bucket` cards or more, at least 1.

    16**L buckets share the cards, so L = floor(log16(cards / bucket)).
    """
    length = 1
    while bucket * 16 ** (length + 1) <= cards:
        length += 1
    return length
