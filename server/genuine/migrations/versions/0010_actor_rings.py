"""bluesky_actor keeps the ring verdict of the last whole-graph ring run (issue 13)

Revision ID: 0010_actor_rings
Revises: 0009_ingest_counts
Create Date: 2026-12-03 13:40:00

`ring` is the follow_back_ring section of the card (genuine.signals.rings, as to_card
gives it) computed over the whole ingested Bluesky follow graph by the scheduled run
(genuine.jetstream.rings), `ring_at` when. Rescoring an account between runs keeps it.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0010_actor_rings"
down_revision = "0009_ingest_counts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("bluesky_actor") as batch:
        batch.add_column(sa.Column("ring", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("ring_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("bluesky_actor") as batch:
        batch.drop_column("ring_at")
        batch.drop_column("ring")
