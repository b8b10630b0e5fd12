"""What the Jetstream ingester counts while it runs, and what `--status` reads from the store.

`Stats` lives in the client's process: frames received, records applied, bad frames by
reason, reconnects, the committed cursor and the lag behind now, and the recent rate (frames
per second over the last minute). `held(engine)` is the view from outside for `--status`:
the stored cursor row (its lag as `genuine.jetstream.status` reads it for healthz too, the
counts and the rate the client last wrote), accounts and cards held.
"""

from __future__ import annotations

import time
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa

from genuine.jetstream.events import time_of
from genuine.jetstream.status import STREAM, Lag, lag
from genuine.models import BadgeCard, BlueskyActor, IngestCursor

RATE_WINDOW = 60.0  # seconds of history behind `Stats.rate`


@dataclass
class Stats:
    events: int = 0  # frames received, good or bad, replays included
    applied: int = 0  # records written after the batch's reduction
    batches: int = 0
    reconnects: int = 0
    bad: Counter = field(default_factory=Counter)  # reason → frames skipped
    cursor: int | None = None  # the committed time_us
    _samples: deque = field(default_factory=lambda: deque(maxlen=4096))

    def sample(self, now: float | None = None) -> None:
        """Remember (now, events) for the rate; samples older than the window are dropped."""
        now = time.monotonic() if now is None else now
        self._samples.append((now, self.events))
        while self._samples and now - self._samples[0][0] > RATE_WINDOW:
            self._samples.popleft()

    def rate(self, now: float | None = None) -> float:
        """Frames per second over the last minute (0 before there are two samples)."""
        now = time.monotonic() if now is None else now
        if not self._samples:
            return 0.0
        then, count = self._samples[0]
        return (self.events - count) / (now - then) if now > then else 0.0

    def lag(self, now: datetime | None = None) -> float | None:
        """Seconds between the committed cursor and now; None before the first commit."""
        if self.cursor is None:
            return None
        return ((now or datetime.now(UTC)) - time_of(self.cursor)).total_seconds()

    def line(self) -> str:
        bad = sum(self.bad.values())
        reasons = ", ".join(f"{k}={v}" for k, v in sorted(self.bad.items()))
        lag = self.lag()
        cursor = time_of(self.cursor).isoformat(timespec="seconds") if self.cursor else "-"
        return (
            f"jetstream: {self.events:,} frames, {self.applied:,} applied, {bad:,} bad"
            f"{f' ({reasons})' if reasons else ''}, {self.batches:,} batches, "
            f"{self.reconnects} reconnects, {self.rate():,.1f} frames/s, cursor {cursor}, "
            f"lag {'-' if lag is None else f'{lag:,.1f} s'}"
        )


@dataclass(frozen=True)
class Held:
    lag: Lag | None  # cursor, last batch, lag (genuine.jetstream.status); None: no batch yet
    cursor_us: int | None
    events: int
    bad: int
    rate: float
    accounts: int
    cards: int


def held(engine: sa.Engine, stream: str = STREAM, platform: str = "bluesky") -> Held:
    """The stored cursor row of `stream` (its lag, counts and rate), and the Bluesky
    accounts and cards held."""
    with engine.connect() as conn:
        behind = lag(conn, stream=stream)
        row = conn.execute(
            sa.select(
                IngestCursor.time_us, IngestCursor.events, IngestCursor.bad, IngestCursor.rate
            ).where(IngestCursor.stream == stream)
        ).one_or_none()
        accounts = conn.execute(
            sa.select(sa.func.count()).select_from(BlueskyActor.__table__)
        ).scalar_one()
        cards = conn.execute(
            sa.select(sa.func.count())
            .select_from(BadgeCard.__table__)
            .where(BadgeCard.platform == platform)
        ).scalar_one()
    if row is None:
        return Held(None, None, 0, 0, 0.0, accounts, cards)
    return Held(behind, row.time_us, row.events, row.bad, row.rate, accounts, cards)
