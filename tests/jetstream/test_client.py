"""The Jetstream client against the local stand-in, on SQLite and PostgreSQL (issue 13)."""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
import time
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from genuine.db import get_db
from genuine.jetstream import events as ev
from genuine.jetstream.client import Ingester, Settings, check_url, stored_cursor, subscribe_url
from genuine.models import (
    Account,
    AccountReport,
    BadgeCard,
    BlueskyActor,
    IngestCursor,
    lookup_key,
)
from genuine.models import Follow as FollowRow
from genuine.models import Post as PostRow
from genuine.sources.bluesky import post_id
from tests.jetstream import frames as f
from tests.jetstream.mixed import mixed
from tests.jetstream.standin import Standin

A, B, C, D = (f.did(n) for n in (1, 2, 3, 4))
SECOND = 1_000_000
WHEN = datetime(2026, 5, 28, 10, tzinfo=UTC)


@pytest.fixture
def engine(app):
    return get_db(app).engine


def settings(url: str, **changes) -> Settings:
    base = {
        "batch_seconds": 0.2,
        "backoff_base": 0.02,
        "backoff_cap": 0.2,
        "silence_seconds": 5.0,
        "progress_seconds": 0.3,
    }
    return Settings(url=url, **{**base, **changes})


def ingest(engine, url, until, seconds=30.0, after_commit=None, **changes) -> Ingester:
    """Run the client in a thread until `until(ingester)` holds, then stop it cleanly."""
    ingester = Ingester(engine, settings(url, **changes), after_commit=after_commit)
    thread = threading.Thread(target=ingester.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + seconds
    try:
        while not until(ingester):
            assert thread.is_alive(), "the client stopped by itself"
            assert time.monotonic() < deadline, f"timed out: {ingester.stats.line()}"
            time.sleep(0.02)
    finally:
        ingester.stop.set()
        thread.join(15)
    assert not thread.is_alive()
    return ingester


def at_cursor(engine, time_us):
    return lambda _: stored_cursor(engine, "jetstream") == time_us


def follows(engine):
    with engine.connect() as conn:
        return set(map(tuple, conn.execute(sa.select(FollowRow.follower, FollowRow.followee))))


def posts(engine):
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(PostRow.post_id, PostRow.in_reply_to_post_id, PostRow.in_reply_to_author)
        )
        return {pid: (parent, author) for pid, parent, author in rows}


def actors(engine):
    with engine.connect() as conn:
        rows = conn.execute(sa.select(BlueskyActor.did, BlueskyActor.handle, BlueskyActor.status))
        return {did: (handle, status) for did, handle, status in rows}


def counts(engine):
    with engine.connect() as conn:
        row = conn.execute(sa.select(IngestCursor.events, IngestCursor.bad)).one()
    return tuple(row)


def pid(who, rkey):
    return post_id(f"at://{who}/app.bsky.feed.post/{rkey}")


def test_subscribe_url_asks_for_the_collections_and_the_cursor():
    url = subscribe_url("wss://jet.example/subscribe?compress=false&cursor=9", 123)
    assert url == (
        "wss://jet.example/subscribe?compress=false&wantedCollections=app.bsky.graph.follow"
        "&wantedCollections=app.bsky.feed.post&wantedCollections=app.bsky.actor.profile"
        "&cursor=123"
    )
    assert "cursor" not in subscribe_url("ws://127.0.0.1:1/subscribe", None)
    for bad in ("https://jet.example/subscribe", "jet.example", "ws:///subscribe"):
        with pytest.raises(ValueError, match="ws:// or wss://"):
            check_url(bad)


def test_follows_posts_profiles_handles_and_deactivation_reach_the_store(engine, caplog):
    caplog.set_level(logging.INFO, "genuine.jetstream")
    t = f.T0
    with engine.begin() as conn:  # C has a card: its deactivation withdraws it
        values = {"lookup_key": lookup_key("bluesky", C), "platform": "bluesky", "handle": C}
        conn.execute(
            BadgeCard.__table__.insert().values(
                **values,
                computed_at=WHEN,
                model_version="t",
                card={},
                etag="e",
                compact='{"badges":{}}',
            )
        )
        report = AccountReport.__table__.insert()
        conn.execute(report.values(**values, computed_at=WHEN, evidence={}))
    stream = [
        f.follow(A, t + 1, "f1", B),
        f.follow(A, t + 2, "f2", C),
        f.unfollow(A, t + 3, "f2"),
        f.post(B, t + 4, "p1", "first"),
        f.post(C, t + 5, "p2", "a reply", parent=(B, "p1")),
        f.post(A, t + 6, "p3", "oops"),
        f.delete_post(A, t + 7, "p3"),
        f.profile(A, t + 8, name="Ann", bio="hello"),
        f.identity(A, t + 9, "ann.bsky.social"),
        f.identity(A, t + 10, "ann.example.com"),
        f.account(C, t + 11, False, "deactivated"),
        f.commit(A, t + 12, "app.bsky.feed.like", "l1", "create", {"subject": {}}),  # unwanted
        f.post(D, t + 13, "p4"),
        f.account(D, t + 14, False, "deleted"),
    ]
    with Standin() as jet:
        jet.add(*stream)
        ingester = ingest(engine, jet.url, at_cursor(engine, t + 14))
        assert jet.requests[0]["wantedCollections"] == list(ev.COLLECTIONS)
        assert "cursor" not in jet.requests[0]
    assert follows(engine) == {(A, B)}
    assert posts(engine) == {
        pid(B, "p1"): (None, None),
        pid(C, "p2"): (pid(B, "p1"), B),
        pid(D, "p4"): (None, None),
    }
    assert actors(engine) == {
        A: ("ann.example.com", "active"),
        B: (None, "active"),
        C: (None, "deactivated"),
        D: (None, "deleted"),
    }
    with engine.connect() as conn:
        name = conn.execute(sa.select(Account.display_name).where(Account.handle == A))
        assert name.scalar_one() == "Ann"
        assert conn.execute(sa.select(sa.func.count()).select_from(BadgeCard)).scalar_one() == 0
    assert counts(engine) == (13, 0)  # the like was not sent: it was not asked for
    assert ingester.stats.events == 13 and not ingester.stats.bad
    last = caplog.records[-1].getMessage()  # the summary line when it stops
    assert re.fullmatch(
        r"jetstream: 13 frames, \d+ applied, 0 bad, [12] batches, 0 reconnects, [\d.,]+ frames/s, "
        r"cursor 2026-05-28T\S+, lag [\d.,]+ s \(stopped\)",
        last,
    ), last


def test_bad_frames_are_counted_logged_and_skipped_and_the_batch_commits(engine, caplog):
    t = f.T0
    big = f.post(B, t + 3, "p9", "x" * 70_000)
    stream = [
        f.follow(A, t + 1, "f1", B),
        '{"did": "did:plc:cut", "kind": "commit", "time_us": ',  # cut short
        f.identity("did:bad", t + 2, "x.bsky.social"),
        big,
        f.identity(C, t + 4, "not a handle"),
        f.commit(D, t + 5, "app.bsky.graph.follow", "f1", "create", {"subject": 42}),
        {"did": A, "time_us": "soon", "kind": "commit"},
        f.post(B, t + 6, "p1"),
    ]
    caplog.set_level(logging.WARNING, "genuine.jetstream")
    with Standin() as jet:
        jet.add(*stream)
        ingester = ingest(engine, jet.url, at_cursor(engine, t + 6), batch_size=1000)
    assert dict(ingester.stats.bad) == {
        "bad_json": 1,
        "bad_did": 2,
        "oversized": 1,
        "bad_handle": 1,
        "bad_time": 1,
    }
    assert follows(engine) == {(A, B)} and set(posts(engine)) == {pid(B, "p1")}
    assert set(actors(engine)) == {A, B}
    assert counts(engine) == (8, 6)
    lines = [r.getMessage() for r in caplog.records if "skipped" in r.getMessage()]
    assert len(lines) == 6
    assert f"jetstream: skipped bad_handle: did={C} kind=identity" in lines
    assert f"jetstream: skipped bad_did: did={D} kind=commit" in lines
    assert all("\n" not in line for line in lines)


def test_time_going_backwards_beyond_the_replay_window_is_refused(engine):
    t = f.T0 + 100 * SECOND
    stream = [
        f.follow(A, t, "f1", B),
        f.follow(A, t - 2 * SECOND, "f2", C),  # a little out of order: applied
        f.unfollow(A, t - 60 * SECOND, "f1"),  # an old event replayed over a newer one
        f.post(B, t + 1, "p1"),
    ]
    with Standin() as jet:
        jet.add(*stream)
        ingester = ingest(engine, jet.url, at_cursor(engine, t + 1))
    assert dict(ingester.stats.bad) == {"time_backwards": 1}
    assert follows(engine) == {(A, B), (A, C)}


def test_a_dropped_connection_mid_batch_resumes_with_nothing_lost_or_doubled(engine):
    stream = [f.follow(f.did(100 + i), f.T0 + i * SECOND, f"f{i}", A) for i in range(40)]
    last = f.T0 + 39 * SECOND
    with Standin(drops=[7, 9]) as jet:  # mid-batch: a batch is 1,000 frames or 5 s
        jet.add(*stream)
        ingester = ingest(
            engine, jet.url, at_cursor(engine, last), batch_seconds=5.0, silence_seconds=30
        )
        requests = jet.requests
    assert len(requests) == 3 and ingester.stats.reconnects == 2
    # each reconnect asks for the committed cursor minus 5 s: what the drop cut is replayed
    assert requests[1]["cursor"] == [str(f.T0 + 6 * SECOND - 5 * SECOND)]
    assert requests[2]["cursor"] == [str(f.T0 + 9 * SECOND - 5 * SECOND)]
    assert ingester.stats.events == 7 + 9 + 36  # replays received...
    assert follows(engine) == {(f.did(100 + i), A) for i in range(40)}
    assert counts(engine) == (40, 0)  # ...but counted and applied once


def test_a_silent_connection_is_closed_and_opened_again(engine):
    stream = [f.post(A, f.T0 + i * SECOND, f"p{i}") for i in range(10)]
    with Standin(silences=[4]) as jet:
        jet.add(*stream)
        started = time.monotonic()
        ingester = ingest(
            engine, jet.url, at_cursor(engine, f.T0 + 9 * SECOND), silence_seconds=0.5
        )
        assert jet.connections == 2
    assert time.monotonic() - started >= 0.5
    assert ingester.stats.reconnects == 1 and len(posts(engine)) == 10


def test_the_stored_cursor_never_moves_back_and_replays_count_nothing(engine):
    top = f.T0 + 10 * SECOND
    with engine.begin() as conn:
        conn.execute(
            IngestCursor.__table__.insert().values(
                stream="jetstream", time_us=top, updated_at=WHEN, events=5
            )
        )
    stream = [f.follow(A, f.T0 + i * SECOND, f"f{i}", f.did(200 + i)) for i in range(6, 11)]
    with Standin() as jet:
        jet.add(*stream)
        ingest(engine, jet.url, lambda i: i.stats.events == 5 and i.stats.batches >= 1)
        assert jet.requests[0]["cursor"] == [str(top - 5 * SECOND)]
    assert stored_cursor(engine, "jetstream") == top
    assert counts(engine) == (5, 0)
    assert len(follows(engine)) == 5


def test_stopping_commits_the_batch_in_hand(engine):
    stream = [f.post(A, f.T0 + i, f"p{i}") for i in range(25)]
    with Standin() as jet:
        jet.add(*stream)
        ingester = ingest(engine, jet.url, lambda i: i.stats.events == 25, batch_seconds=60)
    assert ingester.stats.batches == 1
    assert stored_cursor(engine, "jetstream") == f.T0 + 24 and len(posts(engine)) == 25


def test_batches_end_at_their_size_and_a_failing_hook_stops_nothing(engine, caplog):
    stream, want = mixed(500)
    calls = []

    def after_commit():
        calls.append(stored_cursor(engine, "jetstream"))
        if len(calls) == 2:
            raise ConnectionError("queue unreachable")

    caplog.set_level(logging.WARNING, "genuine.jetstream")
    with Standin() as jet:
        jet.add(*stream)
        ingester = ingest(
            engine,
            jet.url,
            at_cursor(engine, want.last_time_us),
            after_commit=after_commit,
            batch_size=100,
            batch_seconds=30,
        )
    assert ingester.stats.batches == 5 and ingester.stats.events == 500
    assert len(calls) == 5 and calls == sorted(calls)  # after each commit
    assert "jetstream: after the batch: ConnectionError: queue unreachable" in caplog.messages
    assert follows(engine) == want.follows
    assert {p: parent for p, (parent, _) in posts(engine).items()} == want.posts
    assert set(actors(engine)) == want.actors
    assert counts(engine) == (500, want.bad)


def test_a_server_that_hangs_up_at_once_is_retried_with_backoff(engine):
    with Standin(drops=[0] * 1000) as jet:
        jet.add(f.post(A, f.T0, "p1"))
        started = time.monotonic()
        ingester = ingest(engine, jet.url, lambda _: time.monotonic() - started > 1.5)
        assert 3 <= jet.connections <= 40
    assert ingester.stats.events == 0 and ingester.stats.reconnects >= 3


def test_an_unreachable_server_is_retried_with_backoff_not_a_busy_loop(engine, caplog):
    with Standin() as jet:
        url = jet.url
    caplog.set_level(logging.WARNING, "genuine.jetstream")
    started = time.monotonic()
    ingester = ingest(engine, url, lambda _: time.monotonic() - started > 1.5)
    # full jitter, base 0.02 s doubling to a 0.2 s cap: about 15 attempts in 1.5 s, not 1,000s
    assert 3 <= ingester.stats.reconnects <= 40
    assert any("cannot connect" in r.getMessage() for r in caplog.records)


def _blocked_backend(conn) -> int | None:
    return conn.execute(
        sa.text(
            "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND datname = current_database() AND pid <> pg_backend_pid()"
        )
    ).scalar()


def test_a_stalled_then_failing_database_loses_nothing(engine, caplog):
    """The client waits on a locked store (it reads slower), and when the transaction fails
    it reconnects from the stored cursor: the failed batch is replayed, nothing is lost."""
    stream = [f.follow(f.did(300 + i), f.T0 + i * SECOND, f"f{i}", A) for i in range(30)]
    caplog.set_level(logging.WARNING, "genuine.jetstream")
    with Standin(delay=0.02) as jet:
        jet.add(*stream)
        ingester = Ingester(engine, settings(jet.url, silence_seconds=30))
        thread = threading.Thread(target=ingester.run, daemon=True)
        thread.start()
        try:
            deadline = time.monotonic() + 30
            while (stored_cursor(engine, "jetstream") or 0) < f.T0 + 5 * SECOND:
                assert time.monotonic() < deadline
                time.sleep(0.01)
            if engine.dialect.name == "sqlite":  # held past SQLite's busy timeout (5 s)
                locker = sqlite3.connect(engine.url.database, isolation_level=None)
                locker.execute("BEGIN IMMEDIATE")
                time.sleep(6)
                locker.execute("ROLLBACK")
                locker.close()
            else:  # the client's transaction waits on the lock, then its backend dies
                with engine.connect() as conn:
                    conn.execute(sa.text("LOCK TABLE ingest_cursor IN ACCESS EXCLUSIVE MODE"))
                    while (pid := _blocked_backend(conn)) is None:
                        assert time.monotonic() < deadline
                        time.sleep(0.05)
                    conn.execute(sa.select(sa.func.pg_terminate_backend(pid)))
                    time.sleep(0.5)
                    conn.rollback()
            while stored_cursor(engine, "jetstream") != f.T0 + 29 * SECOND:
                assert time.monotonic() < deadline + 30, ingester.stats.line()
                time.sleep(0.02)
        finally:
            ingester.stop.set()
            thread.join(15)
    assert ingester.stats.reconnects >= 1
    assert any("database error" in r.getMessage() for r in caplog.records)
    assert follows(engine) == {(f.did(300 + i), A) for i in range(30)}
    assert counts(engine) == (30, 0)
