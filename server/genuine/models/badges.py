"""Precomputed badge cards: the API serves these by key read, never by computing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field, SQLModel

from genuine.models.accounts import HANDLE_MAX


class BadgeCard(SQLModel, table=True):
    __table_args__ = (
        sa.UniqueConstraint("platform", "handle", name="uq_badge_platform_handle"),
        # Private mode's compact buckets read (key, entry) off this index alone, in key order.
        sa.Index("ix_badgecard_key_compact", "lookup_key", "compact"),
    )

    # sha256("platform:handle") in hex; private lookups range-scan its prefix.
    lookup_key: str = Field(max_length=64, primary_key=True)
    platform: str = Field(max_length=16)
    handle: str = Field(max_length=HANDLE_MAX)
    computed_at: datetime
    model_version: str = Field(max_length=64)
    # The badge card exactly as served (DESIGN.md), and its strong ETag.
    card: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    etag: str = Field(max_length=64)
    # The compact entry of the card (api.schemas.CompactCard) as JSON text, written with it
    # (cards.store.card_row): POST /badges/ranges splices it, never re-parsing the card.
    compact: str = Field(sa_column=Column(sa.Text, nullable=False))


class Dispute(SQLModel, table=True):
    """Anyone may dispute a badge; the report shows "disputed" until an admin resolves it."""

    __table_args__ = (sa.Index("ix_dispute_account", "platform", "handle", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    handle: str = Field(max_length=HANDLE_MAX)
    badge: str | None = Field(default=None, max_length=32)
    reason: str = Field(max_length=4000)
    contact: str = Field(max_length=200)
    status: str = Field(default="open", max_length=16)  # open | resolved
    created_at: datetime
    resolved_at: datetime | None = None
    resolution: str | None = Field(default=None, max_length=4000)


class AccountReport(SQLModel, table=True):
    """The evidence behind a card, for the report page and /accounts/.../report.

    Charts are drawn on first view and kept here with the card's ETag they were drawn
    for, so they are redrawn only when the card changes.
    """

    lookup_key: str = Field(max_length=64, primary_key=True)
    platform: str = Field(max_length=16)
    handle: str = Field(max_length=HANDLE_MAX)
    computed_at: datetime
    evidence: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    charts: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    charts_etag: str | None = Field(default=None, max_length=64)
