"""How far behind the ingester is: what healthz and `genuine jetstream --status` report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from genuine.jetstream.events import time_of
from genuine.models import IngestCursor

STREAM = "jetstream"
# An ingester that committed no batch for this long is stopped or stuck: Jetstream sends
# thousands of events a second, and a batch ends at least every second.
STALE_SECONDS = 120


@dataclass(frozen=True)
class Lag:
    cursor: datetime  # time of the last event committed
    last_batch: datetime  # when that batch was committed
    now: datetime

    @property
    def seconds(self) -> float:
        """How far the store is behind the stream: now minus the last event's time."""
        return max(0.0, (self.now - self.cursor).total_seconds())

    @property
    def idle_seconds(self) -> float:
        return max(0.0, (self.now - self.last_batch).total_seconds())

    def check(self) -> str:
        """healthz's words: ok, or degraded (the API still serves; cards go stale)."""
        if self.idle_seconds > STALE_SECONDS:
            minutes = round(self.idle_seconds / 60)
            return f"degraded: no batch for {minutes} min (the ingester is stopped or stuck)"
        return "ok"

    def as_dict(self) -> dict[str, object]:
        return {
            "cursor": self.cursor.isoformat(),
            "last_batch": self.last_batch.isoformat(),
            "lag_seconds": round(self.seconds, 1),
        }


def lag(conn: sa.Connection, now: datetime | None = None, stream: str = STREAM) -> Lag | None:
    """The stream's lag, or None when no ingester ever committed a batch here."""
    row = conn.execute(
        sa.select(IngestCursor.time_us, IngestCursor.updated_at).where(
            IngestCursor.stream == stream
        )
    ).one_or_none()
    if row is None:
        return None
    updated = row.updated_at if row.updated_at.tzinfo else row.updated_at.replace(tzinfo=UTC)
    return Lag(time_of(row.time_us), updated, now or datetime.now(UTC))
