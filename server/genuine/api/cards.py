"""Reading precomputed cards: key reads that return the stored JSON text untouched."""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from genuine.db import read
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


# Reading the card itself by a key list or range, SQLite's planner takes
# ix_badgecard_key_compact (key and compact entry: 279 MB at 1M cards) over the primary
# key's index (79 MB), then reads the row anyway: 50 keys cost 267 against 215 µs at 1M
# (docs-notes/bench-lookup.md, fourth pass). Statements that read the card name the primary
# key's index, which SQLite calls sqlite_autoindex_badgecard_1.
SQLITE_CARDS = "badgecard INDEXED BY sqlite_autoindex_badgecard_1"


# The range statement of by_prefixes at driver level, one text per dialect and entry kind:
# rows (key, entry text) in key order. Compact entries come off ix_badgecard_key_compact
# alone (a covering index on SQLite); full ones are the stored card text untouched.
def _range_entries(dialect: str, compact: bool) -> str:
    mark = "%s" if dialect == "postgresql" else "?"
    column = "compact" if compact else "CAST(card AS TEXT)"
    table = SQLITE_CARDS if dialect == "sqlite" and not compact else "badgecard"
    return (
        f"SELECT lookup_key, {column} FROM {table} "
        f"WHERE lookup_key >= {mark} AND lookup_key < {mark} ORDER BY lookup_key"
    )


_RANGE_ENTRIES = {
    (dialect, compact): _range_entries(dialect, compact)
    for dialect in ("postgresql", "sqlite")
    for compact in (True, False)
}


def by_prefixes(
    conn: sa.Connection, prefixes: Iterable[str], *, compact_entries: bool = False
) -> dict[str, list[str]]:
    """Buckets of several prefixes: prefix -> ['"<key suffix>":<entry JSON>'] in key order.

    One range statement per prefix on the caller's one connection. Measured for 100
    buckets against a single statement with the ranges OR'ed and a UNION ALL (bench
    figures in docs-notes/extension.md): the same on SQLite, and the fastest on
    PostgreSQL, where the OR'ed ranges become a bitmap scan that rechecks all 200 bounds
    on every row. Entries are full (the stored card text) or compact (the stored compact
    entry, cards.store.compact), spliced as stored. A prefix inside another requested
    prefix is answered from the covering one's rows.
    """
    wanted = sorted(set(prefixes))
    buckets: dict[str, list[str]] = {p: [] for p in wanted}
    dialect = "postgresql" if conn.dialect.name == "postgresql" else "sqlite"
    statement = _RANGE_ENTRIES[dialect, compact_entries]
    covering = ""
    for i, prefix in enumerate(wanted):  # sorted: a covering prefix comes before those inside
        if covering and prefix.startswith(covering):
            continue
        covering = prefix
        rows = conn.exec_driver_sql(statement, (prefix, prefix + "g")).fetchall()
        cut = len(prefix)
        buckets[prefix] = [f'"{key[cut:]}":{entry}' for key, entry in rows]
        inner = {len(p) for p in wanted[i + 1 :] if p.startswith(prefix)}
        for length in sorted(inner):
            for key, entry in rows:
                if key[:length] in buckets:
                    buckets[key[:length]].append(f'"{key[length:]}":{entry}')
    return buckets


_COUNT = sa.select(sa.func.count()).select_from(BadgeCard)


class CardCount:
    """The number of cards, refreshed at most every `ttl` seconds (it sets the prefix length)."""

    def __init__(self, ttl: float = 60.0) -> None:
        self.ttl, self.value, self.at = ttl, 0, -math.inf

    def get(self, engine: sa.Engine) -> int:
        now = time.monotonic()
        if now - self.at > self.ttl:
            self.value = read(engine, lambda conn: conn.execute(_COUNT).scalar())
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
