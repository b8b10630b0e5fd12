"""What the Jetstream ingester keeps beside the store's accounts, follows and posts (issue 13).

- `BlueskyActor`: a Bluesky account by DID (the stable identity), the handle its identity
  events announced (the card's lookup key), whether it is active, when it was first seen,
  and `dirty_at` (set when an event touched it and its card is not rescored yet).
- `FollowRkey`: (repo DID, rkey) → the followed DID. Jetstream's follow delete carries only
  the rkey, so this is how an unfollow finds the follow to remove; `first_seen` is when the
  follow was first seen on the stream (clients set `createdAt` themselves).
- `IngestCursor`: the last committed `time_us` per stream, written in the same transaction
  as the batch it ends, with the frames counted past the cursor (`events`, `bad`: a replay
  after a restart counts nothing twice) and the ingester's recent rate (frames/s), for
  `genuine jetstream --status`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field, SQLModel

from genuine.handles import STORED_MAX as HANDLE_MAX


class BlueskyActor(SQLModel, table=True):
    __tablename__ = "bluesky_actor"
    __table_args__ = (
        sa.Index("ix_bluesky_actor_handle", "handle"),
        sa.Index("ix_bluesky_actor_dirty_at", "dirty_at"),
    )

    did: str = Field(max_length=HANDLE_MAX, primary_key=True)
    handle: str | None = Field(default=None, max_length=HANDLE_MAX)
    active: bool = True
    status: str = Field(default="active", max_length=32)
    first_seen: datetime
    dirty_at: datetime | None = None
    scored_at: datetime | None = None
    # The follow_back_ring section from the last whole-graph ring run (genuine.jetstream.rings).
    ring: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    ring_at: datetime | None = None


class FollowRkey(SQLModel, table=True):
    __tablename__ = "bluesky_follow_rkey"
    __table_args__ = (sa.Index("ix_bluesky_follow_rkey_subject", "did", "subject"),)

    did: str = Field(max_length=HANDLE_MAX, primary_key=True)
    rkey: str = Field(max_length=255, primary_key=True)
    subject: str = Field(max_length=HANDLE_MAX)
    first_seen: datetime


class IngestCursor(SQLModel, table=True):
    __tablename__ = "ingest_cursor"

    stream: str = Field(max_length=64, primary_key=True)
    time_us: int = Field(sa_type=sa.BigInteger)
    updated_at: datetime
    events: int = Field(default=0, sa_type=sa.BigInteger, sa_column_kwargs={"server_default": "0"})
    bad: int = Field(default=0, sa_type=sa.BigInteger, sa_column_kwargs={"server_default": "0"})
    rate: float = Field(default=0.0, sa_column_kwargs={"server_default": "0"})
