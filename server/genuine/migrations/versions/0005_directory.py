"""directory: people, outbox, submissions, reviews, conflicts, the append-only decision log

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 10:00:00

Written by hand for the directory's own tables. The decision log is append-only: besides the
ORM guard in genuine.directory.log, triggers make the database itself refuse UPDATE and DELETE.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

String = sqlmodel.sql.sqltypes.AutoString
When = sqlmodel.sql.sqltypes.UTCDateTime

APPEND_ONLY_MESSAGE = "directorylog is append-only"


def upgrade() -> None:
    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", String(length=254), nullable=False),
        sa.Column("name", String(length=100), nullable=False),
        sa.Column("password_hash", String(length=200), nullable=False),
        sa.Column("role", String(length=16), nullable=False),
        sa.Column("created_at", When(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email"),
    )
    op.create_table(
        "outboxmessage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient", String(length=254), nullable=False),
        sa.Column("subject", String(length=200), nullable=False),
        sa.Column("body", String(length=10000), nullable=False),
        sa.Column("created_at", When(), nullable=False),
        sa.Column("sent_at", When(), nullable=True),
        sa.Column("error", String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "submission",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("status", String(length=24), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", String(length=100), nullable=False),
        sa.Column("slug", String(length=120), nullable=True),
        sa.Column("profile", sa.JSON(), nullable=False),
        sa.Column("bio_html", String(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=True),
        sa.Column("created_at", When(), nullable=False),
        sa.Column("updated_at", When(), nullable=False),
        sa.Column("submitted_at", When(), nullable=True),
        sa.Column("approved_at", When(), nullable=True),
        sa.Column("published_at", When(), nullable=True),
        sa.Column("flag_reason", String(length=2000), nullable=True),
        sa.Column("delist_reason", String(length=2000), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slug"),
        sa.UniqueConstraint("user_id"),
    )
    op.create_index("ix_submission_status", "submission", ["status"], unique=False)
    op.create_table(
        "conflict",
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("reason", String(length=1000), nullable=False),
        sa.Column("created_at", When(), nullable=False),
        sa.ForeignKeyConstraint(["reviewer_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["submission_id"], ["submission.id"]),
        sa.PrimaryKeyConstraint("submission_id", "reviewer_id"),
    )
    op.create_table(
        "review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("verdict", String(length=16), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("comment", String(length=4000), nullable=False),
        sa.Column("override_reason", String(length=2000), nullable=True),
        sa.Column("created_at", When(), nullable=False),
        sa.ForeignKeyConstraint(["reviewer_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["submission_id"], ["submission.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_review_submission_round", "review", ["submission_id", "round"])
    op.create_table(
        "directorylog",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", When(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("submission_id", sa.Integer(), nullable=True),
        sa.Column("action", String(length=32), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_directorylog_submission", "directorylog", ["submission_id"])
    _append_only_triggers()


def _append_only_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION directorylog_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}'; END; $$"
        )
        op.execute(
            "CREATE TRIGGER directorylog_append_only BEFORE UPDATE OR DELETE ON directorylog "
            "FOR EACH ROW EXECUTE FUNCTION directorylog_append_only()"
        )
        return
    for event in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER directorylog_no_{event.lower()} BEFORE {event} ON directorylog "
            f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER directorylog_append_only ON directorylog")
        op.execute("DROP FUNCTION directorylog_append_only()")
    else:
        op.execute("DROP TRIGGER directorylog_no_update")
        op.execute("DROP TRIGGER directorylog_no_delete")
    op.drop_index("ix_directorylog_submission", table_name="directorylog")
    op.drop_table("directorylog")
    op.drop_index("ix_review_submission_round", table_name="review")
    op.drop_table("review")
    op.drop_table("conflict")
    op.drop_index("ix_submission_status", table_name="submission")
    op.drop_table("submission")
    op.drop_table("outboxmessage")
    op.drop_table("person")
