"""Audits: one row per request to fetch an account live and recompute its card.

The row, not the job queue, is the truth about an audit. A queue message can be
lost (a worker killed after taking it); workers claim a row with a lease and extend
it while they work, and any audit whose lease ran out is queued again
(genuine.pipeline.audits.recover). `active_key` holds "platform:handle" while an audit is
queued or running and NULL afterwards: its unique index makes two requests for the
same account share one audit, even when they arrive at the same moment.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field, SQLModel

from genuine.models.accounts import HANDLE_MAX

STATUSES = ("queued", "running", "done", "failed")


class Audit(SQLModel, table=True):
    __table_args__ = (
        sa.Index("ix_audit_account", "platform", "handle", "requested_at"),
        sa.Index("ix_audit_status", "status", "lease_until"),
    )

    id: str = Field(max_length=32, primary_key=True)
    platform: str = Field(max_length=16)
    handle: str = Field(max_length=HANDLE_MAX)
    status: str = Field(default="queued", max_length=16)
    active_key: str | None = Field(default=None, max_length=HANDLE_MAX + 17, unique=True)
    origin: str = Field(default="api", max_length=16)  # api | cli | schedule
    followers: int = 2000  # follower sample asked for
    requested_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    lease_until: datetime | None = None
    attempts: int = 0
    requests: int | None = None  # HTTP requests made to the platform
    error: str | None = Field(default=None, max_length=2000)
    notes: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
