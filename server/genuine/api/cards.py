"""Reading precomputed cards: key reads that return the stored JSON text untouched."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

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
# Hex keys starting with a prefix sort between it and prefix + "g" ('g' follows 'f').
_RANGE = _SELECT.where(
    _card.lookup_key >= sa.bindparam("low"), _card.lookup_key < sa.bindparam("high")
).order_by(_card.lookup_key)


def one(conn: sa.Connection, platform: str, handle: str) -> StoredCard | None:
    row = conn.execute(_ONE, {"key": lookup_key(platform, handle)}).first()
    return StoredCard(*row) if row else None


def by_prefix(conn: sa.Connection, prefix: str) -> list[StoredCard]:
    return [StoredCard(*row) for row in conn.execute(_RANGE, {"low": prefix, "high": prefix + "g"})]


# Compact bucket entries (POST /badges/ranges with compact): per badge its level and the one
# number its pill shows (content/render.js badgeText), nothing else.
COMPACT_NUMBERS = {
    "follower_purchase_risk": "score",
    "reply_rate": "answered_share",
    "follow_back_ring": "ring_size",
}


def compact(text: str) -> str:
    """The compact entry of a stored card (schemas.CompactCard), as JSON text.

    Parsed in Python rather than picked by JSON paths in SQL: PostgreSQL re-parses a `json`
    column for every path (95 ms for 100 buckets against 82 ms here), and this stays the
    same code on both databases.
    """
    card = json.loads(text)
    badges: dict[str, dict[str, Any]] = {}
    for name, number in COMPACT_NUMBERS.items():
        badge = card.get("badges", {}).get(name)
        if badge is None:
            continue  # the full card has no such badge either
        entry = {"level": badge.get("level", "unknown")}
        if badge.get(number) is not None:
            entry[number] = badge[number]
        badges[name] = entry
    made: dict[str, Any] = {"badges": badges}
    if card.get("synthetic"):
        made["synthetic"] = True
    return json.dumps(made, ensure_ascii=False, separators=(",", ":"))


def by_prefixes(
    conn: sa.Connection, prefixes: Iterable[str], *, compact_entries: bool = False
) -> dict[str, list[tuple[str, str]]]:
    """Buckets of several prefixes: prefix -> [(key suffix, entry JSON text)] in key order.

    One range statement per prefix (the `_RANGE` above) on the caller's one connection.
    Measured for 100 buckets against a single statement with the ranges OR'ed and a UNION
    ALL (bench figures in docs-notes/extension.md): the same on SQLite, and the fastest on
    PostgreSQL, where the OR'ed ranges become a bitmap scan that rechecks all 200 bounds on
    every row. Its cost is one round trip per prefix, small while the database is near.
    Entries are full (the stored card text untouched) or compact. A prefix inside another
    requested prefix is answered from the covering one's rows.
    """
    wanted = sorted(set(prefixes))
    buckets: dict[str, list[tuple[str, str]]] = {p: [] for p in wanted}
    lengths = sorted({len(p) for p in wanted})
    covering = ""
    for prefix in wanted:  # sorted: a covering prefix comes right before those it covers
        if covering and prefix.startswith(covering):
            continue
        covering = prefix
        for stored in by_prefix(conn, prefix):
            entry = compact(stored.text) if compact_entries else stored.text
            for length in lengths:
                if length >= len(prefix) and stored.key[:length] in buckets:
                    buckets[stored.key[:length]].append((stored.key[length:], entry))
    return buckets


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
