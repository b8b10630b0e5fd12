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


def _stored(row) -> StoredCard:
    return StoredCard(row.lookup_key, row.platform, row.handle, row.card, row.etag)


_COLUMNS = (_card.lookup_key, _card.platform, _card.handle, _TEXT, _card.etag)


def one(conn: sa.Connection, platform: str, handle: str) -> StoredCard | None:
    row = conn.execute(
        sa.select(*_COLUMNS).where(_card.lookup_key == lookup_key(platform, handle))
    ).first()
    return _stored(row) if row else None


def many(conn: sa.Connection, accounts: list[tuple[str, str]]) -> dict[str, StoredCard]:
    keys = {lookup_key(p, h) for p, h in accounts}
    rows = conn.execute(sa.select(*_COLUMNS).where(_card.lookup_key.in_(keys))).all()
    return {row.lookup_key: _stored(row) for row in rows}


def by_prefix(conn: sa.Connection, prefix: str) -> list[StoredCard]:
    # Hex keys starting with `prefix` sort between it and prefix + "g" ('g' follows 'f').
    rows = conn.execute(
        sa.select(*_COLUMNS)
        .where(_card.lookup_key >= prefix, _card.lookup_key < prefix + "g")
        .order_by(_card.lookup_key)
    ).all()
    return [_stored(row) for row in rows]


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
