"""The client empties SQLite's write-ahead log while readers come and go (issue 13)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from genuine.db import get_db
from tests.jetstream import frames as f
from tests.jetstream.standin import Standin
from tests.jetstream.test_client import A, ingest, posts


@pytest.fixture
def engine(app):
    return get_db(app).engine


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_sqlite_write_ahead_log_is_emptied_while_a_reader_comes_and_goes(
    engine, monkeypatch, database_url
):
    """With a reader overlapping the writes (as the rescoring workers do), automatic
    checkpoints never restart the log; the client's TRUNCATE checkpoint does."""
    import genuine.jetstream.client as client

    wal = Path(database_url.removeprefix("sqlite:///") + "-wal")
    stream = [f.post(A, f.T0 + i, f"p{i}", text="x" * 2000) for i in range(3000)]
    reading = threading.Event()

    def reader():
        while not reading.is_set():
            with engine.connect() as conn:
                conn.execute(sa.text("SELECT COUNT(*) FROM post")).scalar()

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    sizes = []
    monkeypatch.setattr(client, "CHECKPOINT_SECONDS", 0.0)
    with Standin() as jet:
        jet.add(*stream)
        ingest(
            engine,
            jet.url,
            lambda i: sizes.append(wal.stat().st_size) or i.stats.events == 3000,
            batch_size=100,
        )
    reading.set()
    thread.join(10)
    assert len(posts(engine)) == 3000
    assert min(sizes) == 0  # truncated at least once while the reader kept reading
    assert max(sizes) < 8 * 2**20  # 3,000 posts of 2 KB: never the whole stream in the log
