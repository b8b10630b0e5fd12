"""Writing badge cards: serialise once, key by sha256("platform:handle"), upsert."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from genuine.models import BadgeCard, lookup_key


def card_row(card: dict[str, Any]) -> dict[str, Any]:
    """The badgecard row of one card; the ETag is a hash of the exact JSON served."""
    text = json.dumps(card, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return {
        "lookup_key": lookup_key(card["platform"], card["handle"]),
        "platform": card["platform"],
        "handle": card["handle"],
        "computed_at": datetime.fromisoformat(card["computed_at"]),
        "model_version": card["model_version"],
        "card": json.loads(text),
        "etag": hashlib.sha256(text.encode()).hexdigest()[:32],
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
