"""ingest_cursor counts what the Jetstream client committed: frames, bad frames, rate (issue 13)

Revision ID: 0009_ingest_counts
Revises: 0008_sessions_truncate
Create Date: 2026-12-03 13:00:00

`events` and `bad` count the frames past the stored cursor (a replay counts nothing twice),
`rate` is the ingester's frames per second over its last minute, written with each batch;
`genuine jetstream --status` reads them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_ingest_counts"
down_revision = "0008_sessions_truncate"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ingest_cursor") as batch:
        batch.add_column(sa.Column("events", sa.BigInteger(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("bad", sa.BigInteger(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("rate", sa.Float(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("ingest_cursor") as batch:
        batch.drop_column("rate")
        batch.drop_column("bad")
        batch.drop_column("events")
