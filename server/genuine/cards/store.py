"""Writing badge cards: serialise once, key by sha256("platform:handle"), upsert.

Each row also holds the card's compact entry (what a badge pill shows), made here from the
same text, so private mode's compact buckets are spliced from stored text like full cards.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from genuine.models import BadgeCard, lookup_key

# Compact bucket entries (POST /badges/ranges with compact): per badge its level and the one
# number its pill shows (content/render.js badgeText), nothing else. Migration
# 0011_card_compact holds a frozen copy of this for its backfill (tests/test_db.py compares).
COMPACT_NUMBERS = {
    "follower_purchase_risk": "score",
    "reply_rate": "answered_share",
    "follow_back_ring": "ring_size",
}


def compact(card: dict[str, Any]) -> str:
    """The compact entry of a card (api.schemas.CompactCard), as JSON text."""
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


def card_row(card: dict[str, Any]) -> dict[str, Any]:
    """The badgecard row of one card; the ETag is a hash of the exact JSON served.

    The compact entry is made from the card as stored (the text parsed back), so it is
    what reading the stored card back and cutting it down would give.
    """
    text = json.dumps(card, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    stored = json.loads(text)
    return {
        "lookup_key": lookup_key(card["platform"], card["handle"]),
        "platform": card["platform"],
        "handle": card["handle"],
        "computed_at": datetime.fromisoformat(card["computed_at"]),
        "model_version": card["model_version"],
        "card": stored,
        "etag": hashlib.sha256(text.encode()).hexdigest()[:32],
        "compact": compact(stored),
    }


def save_cards(conn: sa.Connection, cards: Iterable[dict[str, Any]], batch: int = 1000) -> int:
    """Insert or replace cards inside the caller's transaction; returns how many."""
    table = BadgeCard.__table__
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    written, rows = 0, []

    def flush() -> None:
        statement = dialect.insert(table)
        statement = statement.on_conflict_do_update(
            index_elements=["lookup_key"],
            set_={c: statement.excluded[c] for c in rows[0] if c != "lookup_key"},
        )
        conn.execute(statement, rows)

    for card in cards:
        rows.append(card_row(card))
        if len(rows) >= batch:
            flush()
            written += len(rows)
            rows = []
    if rows:
        flush()
        written += len(rows)
    return written
