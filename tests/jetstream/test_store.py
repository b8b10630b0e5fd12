"""The store side of the ingester: the importer inside the caller's transaction (issue 13)."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from genuine.db import get_db
from genuine.formats import Record
from genuine.importing import import_into
from genuine.models import Follow, IngestCursor

WHEN = datetime(2026, 12, 1, tzinfo=UTC)


def _follow(follower: str, followee: str) -> Record:
    values = {"platform": "bluesky", "follower": follower, "followee": followee}
    return Record("follow", "jetstream", 1, {**values, "followed_at": WHEN})


def _follows(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(Follow)).scalar_one()


def test_import_into_commits_with_the_cursor_or_not_at_all(app):
    engine = get_db(app).engine
    cursor = IngestCursor.__table__
    with engine.begin() as conn:
        summary = import_into(conn, [_follow("did:plc:a", "did:plc:b")], count=False)
        conn.execute(cursor.insert().values(stream="t", time_us=1, updated_at=WHEN))
    assert summary.read == {"follow": 1} and summary.added == {}
    assert _follows(engine) == 1
    try:
        with engine.begin() as conn:
            import_into(conn, [_follow("did:plc:a", "did:plc:c")], count=False)
            conn.execute(cursor.insert().values(stream="t", time_us=2, updated_at=WHEN))
    except sa.exc.IntegrityError:  # the cursor row exists: the whole batch rolls back
        pass
    else:
        raise AssertionError("a second cursor row for one stream was accepted")
    assert _follows(engine) == 1
    with engine.begin() as conn:  # replaying the first batch changes nothing
        import_into(conn, [_follow("did:plc:a", "did:plc:b")], count=False)
    assert _follows(engine) == 1
