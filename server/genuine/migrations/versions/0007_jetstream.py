"""jetstream: Bluesky actors by DID, follow rkeys, the ingest cursor (issue 13)

Revision ID: 0007_jetstream
Revises: 0006_labels
Create Date: 2026-12-03 11:35:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0007_jetstream"
down_revision = "0006_labels"
branch_labels = None
depends_on = None

String = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "bluesky_actor",
        sa.Column("did", String(length=255), nullable=False),
        sa.Column("handle", String(length=255), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("status", String(length=32), nullable=False),
        sa.Column("first_seen", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("dirty_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("scored_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("did"),
    )
    op.create_index("ix_bluesky_actor_handle", "bluesky_actor", ["handle"])
    op.create_index("ix_bluesky_actor_dirty_at", "bluesky_actor", ["dirty_at"])
    op.create_table(
        "bluesky_follow_rkey",
        sa.Column("did", String(length=255), nullable=False),
        sa.Column("rkey", String(length=255), nullable=False),
        sa.Column("subject", String(length=255), nullable=False),
        sa.Column("first_seen", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("did", "rkey"),
    )
    op.create_index("ix_bluesky_follow_rkey_subject", "bluesky_follow_rkey", ["did", "subject"])
    op.create_table(
        "ingest_cursor",
        sa.Column("stream", String(length=64), nullable=False),
        sa.Column("time_us", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("stream"),
    )


def downgrade() -> None:
    op.drop_table("ingest_cursor")
    op.drop_index("ix_bluesky_follow_rkey_subject", table_name="bluesky_follow_rkey")
    op.drop_table("bluesky_follow_rkey")
    op.drop_index("ix_bluesky_actor_dirty_at", table_name="bluesky_actor")
    op.drop_index("ix_bluesky_actor_handle", table_name="bluesky_actor")
    op.drop_table("bluesky_actor")
