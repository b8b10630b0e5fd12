"""The Jetstream ingest loop: one WebSocket, one thread, batches committed with their cursor.

`Ingester(engine, settings).run()` reads Jetstream's `/subscribe` with `websockets.sync`
until `stop` is set (SIGTERM/SIGINT in `genuine jetstream`):

- Connect with `wantedCollections` (follows, posts, profiles; identity and account events
  come anyway) and `cursor` = the stored cursor minus `replay_seconds`, on every (re)connect:
  Jetstream replays from there, and `batch.apply` is idempotent, so an event received but
  not committed before a crash or a drop is received again, and one applied twice changes
  nothing.
- Frames are parsed (`events.parse`) and gathered into a batch of `batch_size` frames or
  `batch_seconds`, whichever comes first; each batch is one transaction through
  `batch.apply`, which stores the cursor (the highest time_us received; never moved back).
  Reading waits while a batch commits: a slow database makes the client read slower and
  fall behind (the lag says so); the socket's buffers, not this process, hold the rest.
  Memory is bounded by one batch and websockets' queue (`max_queue` frames).
- A bad frame (`events.Bad`) is counted by reason and logged in one line with its DID and
  kind, then skipped; the batch around it still commits. An event whose time_us is more
  than `replay_seconds` behind the highest seen on this connection is refused the same way
  (`time_backwards`): applying it would replay an old state over a newer one.
- A closed connection, one silent for `silence_seconds`, a refused handshake or an
  unreachable database: the pending batch is committed if it can be, then the client
  reconnects after an exponential backoff with full jitter (`backoff_base` doubling up to
  `backoff_cap`), reset after a healthy connection (open `healthy_seconds` with frames).
  Never a busy loop.
- `after_commit`, if given, is called after each batch (`genuine jetstream` queues the
  rescoring of dirty accounts with it); what it raises is logged, never stops ingest.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import sqlalchemy as sa
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI
from websockets.sync.client import ClientConnection, connect

from genuine.db import in_transaction
from genuine.jetstream import batch
from genuine.jetstream import events as ev
from genuine.jetstream.stats import Stats
from genuine.models import IngestCursor

log = logging.getLogger("genuine.jetstream")

MAX_MESSAGE_BYTES = 8 * 1024 * 1024  # any real record; `events.parse` refuses > 64 KiB itself
POLL_SECONDS = 0.5  # longest a read waits before the stop flag is looked at again
CHECKPOINT_SECONDS = 30.0  # SQLite: the write-ahead log is emptied this often
_cursors = IngestCursor.__table__


@dataclass(frozen=True)
class Settings:
    url: str
    batch_size: int = 1000
    batch_seconds: float = 1.0
    silence_seconds: float = 30.0
    replay_seconds: float = 5.0
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    healthy_seconds: float = 10.0
    progress_seconds: float = 60.0
    stream: str = batch.STREAM


class Silent(Exception):
    """The connection sent nothing for `silence_seconds`."""


def check_url(url: str) -> str:
    """The URL itself if it is a ws:// or wss:// address; ValueError naming the problem."""
    parts = urlsplit(url)
    if parts.scheme not in ("ws", "wss") or not parts.hostname:
        raise ValueError(f"not a ws:// or wss:// URL: {url!r}")
    return url


def subscribe_url(url: str, cursor: int | None) -> str:
    """`url` with the wanted collections and the cursor (µs) in its query, others kept."""
    parts = urlsplit(check_url(url))
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in ("wantedCollections", "cursor")]
    query += [("wantedCollections", c) for c in ev.COLLECTIONS]
    if cursor is not None:
        query.append(("cursor", str(max(cursor, 0))))
    return urlunsplit(parts._replace(query=urlencode(query)))


def stored_cursor(engine: sa.Engine, stream: str) -> int | None:
    with engine.connect() as conn:
        return conn.execute(
            sa.select(_cursors.c.time_us).where(_cursors.c.stream == stream)
        ).scalar_one_or_none()


class _Batch:
    """Frames received since the last commit."""

    def __init__(self) -> None:
        self.events: list[ev.Event] = []
        self.frames = 0
        self.high: int | None = None  # highest time_us among the frames
        self.new = 0  # frames past the stored cursor (a replay counts nothing twice)
        self.new_bad = 0
        self.started = time.monotonic()


class Ingester:
    def __init__(
        self,
        engine: sa.Engine,
        settings: Settings,
        stop: threading.Event | None = None,
        after_commit: Callable[[], object] | None = None,
    ) -> None:
        check_url(settings.url)
        self.engine = engine
        self.after_commit = after_commit  # e.g. queue the dirty accounts' rescoring
        self.settings = settings
        self.stop = stop or threading.Event()
        self.stats = Stats()
        self.stats.sample()  # the rate counts from the start
        self._last_progress = time.monotonic()
        self._last_checkpoint = time.monotonic()

    # --- the loop ------------------------------------------------------------------------

    def run(self) -> Stats:
        """Ingest until `stop` is set; returns the counters."""
        s = self.settings
        attempt = 0
        while not self.stop.is_set():
            opened = time.monotonic()
            received = self.stats.events
            try:
                self.stats.cursor = stored_cursor(self.engine, s.stream)
                start = self.stats.cursor
                if start is not None:
                    start -= int(s.replay_seconds * 1_000_000)
                url = subscribe_url(s.url, start)
                with connect(
                    url,
                    open_timeout=10,
                    close_timeout=2,
                    max_size=MAX_MESSAGE_BYTES,
                    user_agent_header="genuine-jetstream",
                ) as ws:
                    log.info("jetstream: connected to %s", url)
                    self._read(ws)
                why = "stopped"
            except Silent:
                why = f"silent for {s.silence_seconds:g} s"
            except ConnectionClosed as exc:
                why = f"connection closed ({exc})"
            except InvalidURI:
                raise
            except (InvalidHandshake, OSError) as exc:  # refused, DNS, TLS, HTTP status, timeout
                why = f"cannot connect ({type(exc).__name__}: {exc})"
            except sa.exc.DBAPIError as exc:  # the batch is not committed: the replay has it
                why = f"database error ({type(exc.orig).__name__}: {exc.orig})"
            if self.stop.is_set():
                break
            healthy = time.monotonic() - opened >= s.healthy_seconds
            if healthy and self.stats.events > received:
                attempt = 0
            delay = random.uniform(0, min(s.backoff_cap, s.backoff_base * 2**attempt))
            attempt = min(attempt + 1, 32)
            self.stats.reconnects += 1
            log.warning("jetstream: %s; reconnecting in %.2f s", why, delay)
            self.stop.wait(delay)
        log.info("%s (stopped)", self.stats.line())
        return self.stats

    def _read(self, ws: ClientConnection) -> None:
        """Read frames into batches until stop, silence or a closed connection."""
        s = self.settings
        pending = _Batch()
        high: int | None = None  # highest time_us seen on this connection
        new = self.stats.cursor is None  # no cursor: every frame is new
        window = int(s.replay_seconds * 1_000_000)
        last_frame = time.monotonic()
        try:
            while not self.stop.is_set():
                now = time.monotonic()
                due = pending.started + s.batch_seconds if pending.frames else float("inf")
                if now >= due:
                    pending = self._commit(pending)
                    continue
                quiet = last_frame + s.silence_seconds
                if now >= quiet:
                    raise Silent
                self._progress(now)
                try:
                    frame = ws.recv(timeout=min(due, quiet, now + POLL_SECONDS) - now)
                except TimeoutError:
                    continue
                last_frame = time.monotonic()
                if not pending.frames:
                    pending.started = last_frame
                event = ev.parse(frame)
                time_us = event.time_us
                if not isinstance(event, ev.Bad) and high is not None and time_us < high - window:
                    event = ev.Bad("time_backwards", event.did, _kind(event), time_us)
                if time_us is not None:
                    high = time_us if high is None else max(high, time_us)
                    pending.high = time_us if pending.high is None else max(pending.high, time_us)
                    new = self.stats.cursor is None or time_us > self.stats.cursor
                self.stats.events += 1
                pending.frames += 1
                pending.new += new
                if isinstance(event, ev.Bad):
                    self.stats.bad[event.reason] += 1
                    pending.new_bad += new
                    log.warning("%s", event.line())
                else:
                    pending.events.append(event)
                if pending.frames >= s.batch_size:
                    pending = self._commit(pending)
        finally:
            if pending.frames:  # stop, silence or a drop: what was received still commits
                self._commit(pending)

    # --- commits -------------------------------------------------------------------------

    def _commit(self, pending: _Batch) -> _Batch:
        s = self.settings
        times = [t for t in (self.stats.cursor, pending.high) if t is not None]
        if times:  # else only bad frames without a time_us, and no cursor yet: nothing to store
            cursor = max(times)  # never moved back
            self.stats.sample()

            def write(conn: sa.Connection) -> int:
                applied = batch.apply(
                    conn, pending.events, cursor, stream=s.stream, now=datetime.now(UTC)
                )
                conn.execute(
                    _cursors.update()
                    .where(_cursors.c.stream == s.stream)
                    .values(
                        events=_cursors.c.events + pending.new,
                        bad=_cursors.c.bad + pending.new_bad,
                        rate=round(self.stats.rate(), 3),
                    )
                )
                return applied

            # A deadlock with a rescoring worker runs the batch again at once (it is
            # idempotent); any other database error drops the connection, and the replay
            # from the stored cursor brings the batch back.
            applied = in_transaction(self.engine, write)
            self.stats.applied += applied
            self.stats.cursor = cursor
        self.stats.batches += 1
        self._checkpoint()
        if self.after_commit is not None:
            try:
                self.after_commit()
            except Exception as exc:  # never stops ingest: the worker's schedule catches up
                log.warning("jetstream: after the batch: %s: %s", type(exc).__name__, exc)
        return _Batch()

    def _checkpoint(self) -> None:
        """On SQLite, empty the write-ahead log every CHECKPOINT_SECONDS. Automatic
        checkpoints never restart the log while readers (the rescoring workers) overlap, so
        under a steady stream it grew without bound (1.1 GB in the benchmark's first minutes);
        TRUNCATE waits (the busy timeout) for the readers of older frames, then restarts it."""
        now = time.monotonic()
        if self.engine.dialect.name != "sqlite" or now - self._last_checkpoint < CHECKPOINT_SECONDS:
            return
        self._last_checkpoint = now
        try:
            with self.engine.connect() as conn:
                busy = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").scalar()
            if busy:
                log.info("jetstream: the WAL checkpoint waited on readers; tried again later")
        except sa.exc.DBAPIError as exc:  # never stops ingest
            log.warning("jetstream: WAL checkpoint failed: %s", exc.orig)

    def _progress(self, now: float) -> None:
        if now - self._last_progress < self.settings.progress_seconds:
            return
        self._last_progress = now
        lag = self.stats.lag()
        if lag is not None and lag > max(60.0, 10 * self.settings.batch_seconds):
            log.warning("%s (falling behind)", self.stats.line())
        else:
            log.info("%s", self.stats.line())


def _kind(event: ev.Event) -> str:
    if isinstance(event, ev.Identity):
        return "identity"
    if isinstance(event, ev.Status):
        return "account"
    return "commit"
