"""labels: the labeler's append-only, sequence-numbered label log (issue 14)

Revision ID: 0006_labels
Revises: 0005
Create Date: 2026-12-03 08:40:00

Triggers make the database refuse UPDATE and DELETE on the label log, like the directory log.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0006_labels"
down_revision = "0005"
branch_labels = None
depends_on = None

String = sqlmodel.sql.sqltypes.AutoString
APPEND_ONLY_MESSAGE = "label is append-only"


def upgrade() -> None:
    op.create_table(
        "label",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("src", String(length=2048), nullable=False),
        sa.Column("uri", String(length=2048), nullable=False),
        sa.Column("val", String(length=128), nullable=False),
        sa.Column("neg", sa.Boolean(), nullable=False),
        sa.Column("cts", String(length=32), nullable=False),
        sa.Column("exp", String(length=32), nullable=True),
        sa.Column("sig", sa.LargeBinary(), nullable=False),
        sa.Column("platform", String(length=16), nullable=False),
        sa.Column("handle", String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_index("ix_label_uri_seq", "label", ["uri", "seq"])
    op.create_index("ix_label_uri_val_seq", "label", ["uri", "val", "seq"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION label_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}'; END; $$"
        )
        op.execute(
            "CREATE TRIGGER label_append_only BEFORE UPDATE OR DELETE ON label "
            "FOR EACH ROW EXECUTE FUNCTION label_append_only()"
        )
        return
    for event in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER label_no_{event.lower()} BEFORE {event} ON label "
            f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER label_append_only ON label")
        op.execute("DROP FUNCTION label_append_only()")
    else:
        op.execute("DROP TRIGGER label_no_update")
        op.execute("DROP TRIGGER label_no_delete")
    op.drop_index("ix_label_uri_val_seq", table_name="label")
    op.drop_index("ix_label_uri_seq", table_name="label")
    op.drop_table("label")
