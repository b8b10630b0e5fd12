"""Accounts and what we know about them: profiles, follower snapshots, follows, posts.

Follows and posts name accounts by (platform, handle) rather than by a foreign key:
a follow list or a reply thread mentions many accounts whose profiles we never
fetched, and importing millions of follows must not cost a lookup per row.
Handles are stored normalised (`genuine.handles.normalise`).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field, SQLModel

from genuine.handles import STORED_MAX as HANDLE_MAX


def lookup_key(platform: str, handle: str) -> str:
    """The key of private lookups: sha256("platform:handle") in hex (DESIGN.md)."""
    return hashlib.sha256(f"{platform}:{handle}".encode()).hexdigest()


class AccountBase(SQLModel):
    platform: str = Field(max_length=16)
    handle: str = Field(max_length=HANDLE_MAX)
    display_name: str | None = None
    bio: str | None = None
    followers_count: int | None = Field(default=None, sa_type=sa.BigInteger)
    following_count: int | None = Field(default=None, sa_type=sa.BigInteger)
    posts_count: int | None = Field(default=None, sa_type=sa.BigInteger)
    created_at: datetime | None = None
    has_avatar: bool | None = None
    url: str | None = None
    verified: bool | None = None
    is_private: bool | None = None
    is_bot: bool | None = None


class Account(AccountBase, table=True):
    __table_args__ = (sa.UniqueConstraint("platform", "handle", name="uq_account_platform_handle"),)

    id: int | None = Field(default=None, primary_key=True)
    # Format-specific public fields (e.g. twitter-v1 listed_count) the classifier may use.
    extra: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class AccountPublic(AccountBase):
    id: int


class Snapshot(SQLModel, table=True):
    """Public counts of one account at one moment; follower jumps are read off these."""

    platform: str = Field(max_length=16, primary_key=True)
    handle: str = Field(max_length=HANDLE_MAX, primary_key=True)
    taken_at: datetime = Field(primary_key=True)
    followers_count: int | None = Field(default=None, sa_type=sa.BigInteger)
    following_count: int | None = Field(default=None, sa_type=sa.BigInteger)
    posts_count: int | None = Field(default=None, sa_type=sa.BigInteger)


class Follow(SQLModel, table=True):
    __table_args__ = (sa.Index("ix_follow_followee", "platform", "followee"),)

    platform: str = Field(max_length=16, primary_key=True)
    follower: str = Field(max_length=HANDLE_MAX, primary_key=True)
    followee: str = Field(max_length=HANDLE_MAX, primary_key=True)
    followed_at: datetime | None = None


class Post(SQLModel, table=True):
    __table_args__ = (
        sa.Index("ix_post_author", "platform", "author"),
        sa.Index("ix_post_in_reply_to_author", "platform", "in_reply_to_author"),
    )

    platform: str = Field(max_length=16, primary_key=True)
    post_id: str = Field(max_length=64, primary_key=True)
    author: str = Field(max_length=HANDLE_MAX)
    created_at: datetime
    in_reply_to_post_id: str | None = Field(default=None, max_length=64)
    in_reply_to_author: str | None = Field(default=None, max_length=HANDLE_MAX)
    text: str | None = None
    extra: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
