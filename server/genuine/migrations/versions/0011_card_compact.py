"""badgecard keeps each card's compact entry, indexed with its key (issue 16)

Revision ID: 0011_card_compact
Revises: 0010_actor_rings
Create Date: 2026-12-03 16:10:00

`compact` is the entry POST /badges/ranges answers with `"compact": true` (levels and the
one number per badge a pill shows), written beside the card by genuine.cards.store.card_row.
A range request then reads (key, compact) off `ix_badgecard_key_compact` in key order and
splices the stored text, instead of parsing every card of the bucket (14-20 µs an entry,
thousands of entries a request). Existing rows are backfilled here with a frozen copy of
the writer's function (tests/test_db.py checks the two agree).
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0011_card_compact"
down_revision = "0010_actor_rings"
branch_labels = None
depends_on = None

_NUMBERS = {
    "follower_purchase_risk": "score",
    "reply_rate": "answered_share",
    "follow_back_ring": "ring_size",
}


def compact(card: dict[str, Any]) -> str:
    """genuine.cards.store.compact as of this revision."""
    badges: dict[str, dict[str, Any]] = {}
    for name, number in _NUMBERS.items():
        badge = card.get("badges", {}).get(name)
        if badge is None:
            continue
        entry = {"level": badge.get("level", "unknown")}
        if badge.get(number) is not None:
            entry[number] = badge[number]
        badges[name] = entry
    made: dict[str, Any] = {"badges": badges}
    if card.get("synthetic"):
        made["synthetic"] = True
    return json.dumps(made, ensure_ascii=False, separators=(",", ":"))


def upgrade() -> None:
    with op.batch_alter_table("badgecard") as batch:
        batch.add_column(sa.Column("compact", sa.Text(), nullable=True))
    conn = op.get_bind()
    table = sa.table(
        "badgecard",
        sa.column("lookup_key", sa.String),
        sa.column("card", sa.Text),
        sa.column("compact", sa.Text),
    )
    text = sa.cast(table.c.card, sa.Text)
    after, batch_size = "", 2000
    while True:  # in key order, a batch at a time: never the whole table in memory
        rows = conn.execute(
            sa.select(table.c.lookup_key, text)
            .where(table.c.lookup_key > after)
            .order_by(table.c.lookup_key)
            .limit(batch_size)
        ).all()
        if not rows:
            break
        conn.execute(
            table.update()
            .where(table.c.lookup_key == sa.bindparam("key"))
            .values(compact=sa.bindparam("entry")),
            [{"key": key, "entry": compact(json.loads(card))} for key, card in rows],
        )
        after = rows[-1][0]
    with op.batch_alter_table("badgecard") as batch:
        batch.alter_column("compact", existing_type=sa.Text(), nullable=False)
        batch.create_index("ix_badgecard_key_compact", ["lookup_key", "compact"])


def downgrade() -> None:
    with op.batch_alter_table("badgecard") as batch:
        batch.drop_index("ix_badgecard_key_compact")
        batch.drop_column("compact")
