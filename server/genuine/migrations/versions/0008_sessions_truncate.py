"""sessions end at sign-out (person.session_version); append-only logs refuse TRUNCATE (issue 15)

Revision ID: 0008_sessions_truncate
Revises: 0007_jetstream
Create Date: 2026-12-03 12:00:00

The row triggers of 0005 (directorylog) and 0006 (label) refuse UPDATE and DELETE, but
PostgreSQL's TRUNCATE fires no row trigger: a statement-level BEFORE TRUNCATE trigger,
calling the same refusing function, closes that door. SQLite has no TRUNCATE.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_sessions_truncate"
down_revision = "0007_jetstream"
branch_labels = None
depends_on = None

APPEND_ONLY = ("directorylog", "label")


def upgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.add_column(
            sa.Column("session_version", sa.Integer(), nullable=False, server_default="0")
        )
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER {table}_no_truncate ON {table}")
    with op.batch_alter_table("person") as batch:
        batch.drop_column("session_version")
