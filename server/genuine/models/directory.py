"""The consultant directory: submissions, reviews, declared conflicts and the decision log.

A submission holds the profile as JSON (the form's fields round-trip through it unchanged) and,
from the moment it is submitted, the badge cards of its accounts as evidence. `round` counts
submissions: reviews count only in the round they were written for. `version` is bumped by every
state change, under a conditional UPDATE, so concurrent decisions serialise on the row.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field, SQLModel

STATUSES = (
    "draft",
    "under_review",
    "changes_requested",
    "published",
    "rejected",
    "withdrawn",
    "delisted",
)


def _now() -> datetime:
    return datetime.now(UTC)


class Submission(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    # One profile per person: they edit it rather than filing new ones.
    user_id: int = Field(foreign_key="person.id", unique=True)
    status: str = Field(default="draft", max_length=24, index=True)
    round: int = 0
    version: int = 0
    name: str = Field(max_length=100)
    slug: str | None = Field(default=None, max_length=120, unique=True)
    profile: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    bio_html: str = ""
    evidence: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    # The profile as last submitted ({name, profile, bio_html}): all reviewers ever see.
    submitted: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_at: datetime = Field(default_factory=_now)
    updated_at: datetime = Field(default_factory=_now)
    submitted_at: datetime | None = None
    approved_at: datetime | None = None
    published_at: datetime | None = None
    flag_reason: str | None = Field(default=None, max_length=2000)
    delist_reason: str | None = Field(default=None, max_length=2000)


class Review(SQLModel, table=True):
    """One reviewer's verdict in one round. Never edited: a later review by the same reviewer in
    the same round supersedes the earlier one (`genuine.directory.rules.standing`)."""

    __table_args__ = (sa.Index("ix_review_submission_round", "submission_id", "round"),)

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id")
    reviewer_id: int = Field(foreign_key="person.id")
    round: int
    verdict: str = Field(max_length=16)  # approve | request_changes | reject
    # {criterion: {"score": 1..5, "comment": "..."}} for each rubric criterion
    scores: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    comment: str = Field(default="", max_length=4000)
    override_reason: str | None = Field(default=None, max_length=2000)
    created_at: datetime = Field(default_factory=_now)


class Conflict(SQLModel, table=True):
    """A reviewer's declared conflict of interest: they may not review that submission."""

    submission_id: int = Field(foreign_key="submission.id", primary_key=True)
    reviewer_id: int = Field(foreign_key="person.id", primary_key=True)
    reason: str = Field(max_length=1000)
    created_at: datetime = Field(default_factory=_now)


class DirectoryLog(SQLModel, table=True):
    """Append-only record of every decision. Rows are never updated or deleted: the ORM refuses
    (genuine.directory.log) and database triggers refuse (migration 0005). Ids are plain numbers,
    not foreign keys, so the record outlives what it describes."""

    __table_args__ = (sa.Index("ix_directorylog_submission", "submission_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=_now)
    actor_id: int | None = None
    submission_id: int | None = None
    action: str = Field(max_length=32)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
