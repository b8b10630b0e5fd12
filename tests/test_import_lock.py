"""Two imports into one database: the second waits for the first (bounded), never a
"database is locked" or "deadlock detected"; on SQLite and PostgreSQL."""

import threading
import time

import pytest

from genuine import import_lock as locks
from genuine.cli import cli
from genuine.db import get_db
from tests.test_importing import dataset


def test_a_second_import_waits_for_the_first_then_runs(runner, app, tmp_path):
    held, release = threading.Event(), threading.Event()

    def first():
        with locks.import_lock(get_db(app).engine, say=lambda _: None):
            held.set()
            release.wait(10)

    holder = threading.Thread(target=first)
    holder.start()
    held.wait(10)
    threading.Timer(0.6, release.set).start()
    started = time.monotonic()
    result = runner.invoke(cli, ["import", str(dataset(tmp_path))])
    holder.join()
    assert result.exit_code == 0, result.output
    assert "another import into this database is running: waiting" in result.stderr
    assert time.monotonic() - started >= 0.5
    assert result.stdout.startswith("imported 2 accounts")


def test_a_second_import_gives_up_after_the_wait_with_one_line(runner, app, tmp_path, monkeypatch):
    monkeypatch.setattr(locks, "WAIT_SECONDS", 0.3)
    with locks.import_lock(get_db(app).engine, say=lambda _: None):
        result = runner.invoke(cli, ["import", str(dataset(tmp_path))])
    assert result.exit_code == 2
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .startswith("error: another import into this database is still running after 0 s")
    )
    again = runner.invoke(cli, ["import", str(dataset(tmp_path))])  # released: runs at once
    assert again.exit_code == 0 and "waiting" not in again.stderr


def test_the_lock_is_exclusive(app):
    engine = get_db(app).engine
    first = locks.import_lock(engine, say=lambda _: None)
    second = locks.import_lock(engine, wait=0, say=lambda _: None)
    with first, pytest.raises(locks.Busy), second:
        pass
    with locks.import_lock(engine, wait=0, say=lambda _: None):
        pass
