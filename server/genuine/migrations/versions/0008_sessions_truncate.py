"""sign-out ends sessions; reviewers see the profile as submitted; logs refuse TRUNCATE (issue 15)

Revision ID: 0008_sessions_truncate
Revises: 0007_jetstream
Create Date: 2026-12-03 12:00:00

person.session_version is part of every session cookie's digest and bumped at sign-out.
submission.submitted keeps {name, profile, bio_html} as last submitted: what reviewers see;
rows submitted before this revision get their current profile (the best record there is).

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
    with op.batch_alter_table("submission") as batch:
        batch.add_column(sa.Column("submitted", sa.JSON(), nullable=True))
    submission = sa.table(
        "submission",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("profile", sa.JSON),
        sa.column("bio_html", sa.String),
        sa.column("submitted_at", sa.DateTime),
        sa.column("submitted", sa.JSON),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(
            submission.c.id, submission.c.name, submission.c.profile, submission.c.bio_html
        ).where(submission.c.submitted_at.is_not(None))
    ).all()
    for row in rows:
        snapshot = {"name": row.name, "profile": row.profile, "bio_html": row.bio_html}
        bind.execute(
            submission.update().where(submission.c.id == row.id).values(submitted=snapshot)
        )
    if bind.dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER {table}_no_truncate ON {table}")
    with op.batch_alter_table("submission") as batch:
        batch.drop_column("submitted")
    with op.batch_alter_table("person") as batch:
        batch.drop_column("session_version")
