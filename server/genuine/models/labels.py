"""The labeler's append-only label log: every label ever emitted, numbered by ``seq``.

``seq`` is the subscribeLabels sequence number and the queryLabels cursor. Rows are never
updated or deleted (triggers in migration 0006_labels refuse it): a label leaves by a new
row with ``neg`` true, and stays by a new row with a later ``exp``. ``cts``/``exp`` are
kept as the exact strings that were signed.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Column, Field, SQLModel

from genuine.models.accounts import HANDLE_MAX


class Label(SQLModel, table=True):
    __table_args__ = (
        sa.Index("ix_label_uri_seq", "uri", "seq"),
        sa.Index("ix_label_uri_val_seq", "uri", "val", "seq"),
    )

    seq: int | None = Field(default=None, primary_key=True)
    src: str = Field(max_length=2048)
    uri: str = Field(max_length=2048)  # the account's DID
    val: str = Field(max_length=128)
    neg: bool = False
    cts: str = Field(max_length=32)
    exp: str | None = Field(default=None, max_length=32)
    sig: bytes = Field(sa_column=Column(sa.LargeBinary, nullable=False))
    # Which card it came from, for disputes and the report page (not published).
    platform: str = Field(max_length=16)
    handle: str = Field(max_length=HANDLE_MAX)
