"""Database engine, sessions and migrations.

The engine is built inside the app factory (never at import time) and kept in
`app.extensions["genuine.db"]`. SQLite runs in WAL mode with foreign keys on;
PostgreSQL is reached through psycopg 3 (`postgresql+psycopg://`).
"""

from __future__ import annotations

import os
import random
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask, current_app
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).with_name("migrations")
T = TypeVar("T")


def database_url(app: Flask) -> str:
    url = app.config.get("DATABASE_URL")
    if url:
        if url.startswith("postgresql://") or url.startswith("postgres://"):
            # Plain URLs would pick psycopg2, which we do not ship.
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        return url
    return f"sqlite:///{Path(app.instance_path) / 'genuine.sqlite'}"


# Read the database file through a memory map (up to SQLite's compile-time cap, 2 GiB by
# default): a page read is then a memory access, not a pread() and a copy into the
# connection's 2 MB page cache. With 1M cards (900 MB) nearly every lookup's leaf pages miss
# that cache; the map cut the 50-key statement from 282 to 189 µs (docs-notes/bench-lookup.md).
MMAP_SIZE = 1 << 32


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA mmap_size={MMAP_SIZE}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


# Seconds after which a pooled PostgreSQL connection is replaced rather than reused.
POOL_RECYCLE = 1800


def make_engine(url: str) -> sa.Engine:
    if url.startswith("sqlite"):
        engine = sa.create_engine(url)
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # No pool_pre_ping: it costs a SELECT 1 round trip on every checkout, one per request.
    # Disconnects are handled when they happen instead (SQLAlchemy's "optimistic" way): the
    # failing statement invalidates the pool, badge reads run again once on a fresh
    # connection (`read` below), other requests answer 503 (outages). pool_recycle retires
    # connections before idle timeouts of proxies and firewalls can cut them.
    return sa.create_engine(url, pool_recycle=POOL_RECYCLE)


@dataclass
class Database:
    engine: sa.Engine
    sessions: sessionmaker = field(init=False)
    at_head: bool = False

    def __post_init__(self) -> None:
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def session(self) -> Session:
        return self.sessions()


def init_app(app: Flask) -> None:
    app.extensions["genuine.db"] = Database(make_engine(database_url(app)))


def get_db(app: Flask | None = None) -> Database:
    return (app or current_app).extensions["genuine.db"]


def alembic_config(connection: sa.Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: sa.Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(app: Flask | None = None, revision: str = "head") -> None:
    engine = get_db(app).engine
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), revision)


def schema_problem(app: Flask | None = None) -> str | None:
    """None when the database is at the head revision, else what is wrong, in words."""
    db = get_db(app)
    if db.at_head:
        return None
    try:
        current = current_revision(db.engine)
    except sa.exc.SQLAlchemyError as exc:
        return f"database unreachable: {exc.__class__.__name__}"
    head = head_revision()
    if current != head:
        return (
            f"database schema is at {current or 'nothing'}, code expects {head}: "
            "run `genuine db upgrade`"
        )
    db.at_head = True
    return None


def write_problem(app: Flask | None = None) -> str | None:
    """None when the database takes a write, else what stops it, in words (healthz).

    The write is real but rolled back: a no-op UPDATE of alembic_version, which fails on a
    read-only database (SQLite opened read-only, a PostgreSQL replica or read-only role).
    For SQLite the instance folder must also take a small file, or the disk is full.
    Another writer holding the lock (an import) is no problem: the check does not wait.
    """
    from genuine.outages import describe

    engine = get_db(app).engine
    sqlite = engine.dialect.name == "sqlite"
    try:
        with engine.connect() as conn:
            if sqlite:
                conn.exec_driver_sql("PRAGMA busy_timeout=200")
            else:
                conn.exec_driver_sql("SET LOCAL lock_timeout = '1s'")
            try:
                conn.execute(sa.text("UPDATE alembic_version SET version_num = version_num"))
            finally:
                conn.rollback()
                if sqlite:
                    conn.exec_driver_sql("PRAGMA busy_timeout=5000")
    except sa.exc.SQLAlchemyError as exc:
        outage = describe(exc)
        if outage is not None and outage.state == "busy":
            return None
        return outage.line() if outage else f"not writable: {exc.__class__.__name__}"
    if sqlite and engine.url.database:
        folder = Path(engine.url.database.removeprefix("file:")).parent
        try:
            with tempfile.TemporaryFile(dir=folder) as probe:
                probe.write(b"\0" * 4096)
                probe.flush()
                os.fsync(probe.fileno())
        except OSError as exc:
            return f"the instance folder {folder} is not writable: {exc.strerror}"
    return None


def read(engine: sa.Engine, work: Callable[[sa.Connection], T]) -> T:
    """`work(conn)` on a pooled connection, once again on a fresh one when the pooled one
    was dead (the server restarted or ended its backend): reads only, they are safe to
    repeat. A server that is really down fails twice and the error goes on (a 503)."""
    return _twice(lambda: _on_connection(engine, work))


def read_cursor(engine: sa.Engine, work: Callable[[Any], T]) -> T:
    """As `read`, but `work` gets the driver's own cursor (DB-API, the dialect's paramstyle):
    no SQLAlchemy statement or result objects, for the badge reads (issue 16: they cost
    half a lookup's database time). Driver errors come out as SQLAlchemy's `DBAPIError`,
    as from `engine.connect()`, so the 503 mapping (`genuine.outages`) and the retry on a
    dead pooled connection work alike."""
    return _twice(lambda: _on_cursor(engine, work))


def read_rows(engine: sa.Engine, statement: str, params: Any) -> list[tuple]:
    """The rows of one driver-level statement, read as `read_cursor` reads."""

    def rows(cursor: Any) -> list[tuple]:
        cursor.execute(statement, params)
        return cursor.fetchall()

    return read_cursor(engine, rows)


def _twice(attempt: Callable[[], T]) -> T:
    try:
        return attempt()
    except sa.exc.DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
    return attempt()


def _on_connection(engine: sa.Engine, work: Callable[[sa.Connection], T]) -> T:
    with engine.connect() as conn:
        return work(conn)


def _on_cursor(engine: sa.Engine, work: Callable[[Any], T]) -> T:
    dialect = engine.dialect
    error = dialect.loaded_dbapi.Error
    try:
        connection = engine.raw_connection()
    except error as exc:
        raise _wrapped(dialect, exc, dialect.is_disconnect(exc, None, None)) from exc
    # A read of one statement needs no transaction: on PostgreSQL, autocommit saves the
    # BEGIN before it and the ROLLBACK of the pool's reset after it, two round trips.
    single = dialect.name == "postgresql"
    driver = connection.dbapi_connection
    try:
        if single:
            driver.autocommit = True  # idle here: the pool rolled it back on return
        cursor = connection.cursor()
        try:
            return work(cursor)
        finally:
            cursor.close()
    except error as exc:
        gone = dialect.is_disconnect(exc, driver, None)
        if gone:  # the pool replaces it; _twice runs the read again on a fresh one
            connection.invalidate(exc)
        raise _wrapped(dialect, exc, gone) from exc
    finally:
        if single and connection.is_valid:
            try:
                driver.autocommit = False  # as every other user of the pool expects it
            except error as exc:
                connection.invalidate(exc)  # a connection in an unknown state: not pooled
        connection.close()  # back to the pool, rolled back as engine.connect() leaves it


def _wrapped(dialect: sa.Dialect, exc: Exception, invalidated: bool) -> sa.exc.DBAPIError:
    return sa.exc.DBAPIError.instance(
        None,
        None,
        exc,
        dialect.loaded_dbapi.Error,
        connection_invalidated=invalidated,
        dialect=dialect,
    )


# PostgreSQL's deadlock_detected and serialization_failure: the server aborted one of two
# transactions that waited on each other; running it again is the documented answer.
RETRYABLE = {"40P01", "40001"}


def in_transaction(engine: sa.Engine, work: Callable[[sa.Connection], T], attempts: int = 5) -> T:
    """`work(conn)` in one transaction, run again (after a short random pause) when
    PostgreSQL aborts it as one side of a deadlock. `work` must be safe to repeat: the
    ingester's batches and the rescorer's writes are idempotent."""
    for attempt in range(1, attempts + 1):
        try:
            with engine.begin() as conn:
                return work(conn)
        except sa.exc.OperationalError as exc:
            if getattr(exc.orig, "sqlstate", None) not in RETRYABLE or attempt == attempts:
                raise
            time.sleep(random.uniform(0.01, 0.05) * attempt)
    raise AssertionError("unreachable")
