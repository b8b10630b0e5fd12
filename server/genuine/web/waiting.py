"""Audits still waiting for a worker, for the pages that depend on them (the review page).

An audit stays `queued` until a `genuine worker` takes it; without one (a demo started
without `genuine serve`, a stopped worker) nothing says so, and a reviewer would wait for
an ownership check that never runs.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from genuine.db import get_db
from genuine.models import Audit


def waiting_audits(accounts: list[dict]) -> list[dict]:
    """[{account, waited (seconds)}] for each of `accounts` whose audit is still queued."""
    keys = [f"{a.get('platform')}:{a.get('handle')}" for a in accounts or []]
    if not keys:
        return []
    table = Audit.__table__
    with get_db().engine.connect() as conn:
        rows = conn.execute(
            sa.select(table.c.active_key, table.c.requested_at)
            .where(table.c.active_key.in_(keys), table.c.status == "queued")
            .order_by(table.c.requested_at)
        ).all()
    now = datetime.now(UTC)
    return [
        {"account": key, "waited": (now - _utc(requested)).total_seconds()}
        for key, requested in rows
    ]


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
