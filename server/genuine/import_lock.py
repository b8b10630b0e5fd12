"""One `genuine import` at a time per database: a second one waits, then runs.

Two imports at once used to end in "database is locked" (SQLite) or "deadlock detected"
(PostgreSQL) even for identical data. The lock is a PostgreSQL session advisory lock, or
for SQLite an exclusive flock on a file beside the database. The second import says it
is waiting, waits up to `WAIT_SECONDS`, then runs; past that it gives up with one line.
The lock goes away with the process that held it, even if that process is killed.
"""

from __future__ import annotations

import contextlib
import fcntl
import time
from collections.abc import Callable, Iterator

import sqlalchemy as sa

# Seconds a second import waits for the first before it gives up.
WAIT_SECONDS = 600.0
POLL_SECONDS = 0.2
# pg_advisory_lock key: "genuine import" (any constant the other locks do not use).
PG_KEY = 0x67656E75696D70


class Busy(RuntimeError):
    """Another import held the lock for longer than the wait."""


@contextlib.contextmanager
def import_lock(
    engine: sa.Engine, *, wait: float | None = None, say: Callable[[str], None] = print
) -> Iterator[None]:
    wait = WAIT_SECONDS if wait is None else wait
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            _acquire(
                lambda: conn.execute(
                    sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": PG_KEY}
                ).scalar(),
                wait,
                say,
            )
            conn.commit()
            try:
                yield
            finally:
                conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": PG_KEY})
                conn.commit()
        return
    database = engine.url.database
    if not database or database == ":memory:":
        yield
        return
    with open(f"{database.removeprefix('file:')}.import-lock", "a+b") as handle:

        def attempt() -> bool:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            return True

        _acquire(attempt, wait, say)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _acquire(attempt: Callable[[], bool], wait: float, say: Callable[[str], None]) -> None:
    if attempt():
        return
    say(f"another import into this database is running: waiting up to {wait:.0f} s")
    started = last = time.monotonic()
    while not attempt():
        now = time.monotonic()
        if now - started > wait:
            raise Busy(
                f"another import into this database is still running after {wait:.0f} s: "
                "try again when it has finished"
            )
        if now - last >= 30:
            say(f"still waiting for the other import ({now - started:.0f} s)")
            last = now
        time.sleep(POLL_SECONDS)
