"""`genuine jetstream`, `--status`, and the ingester SIGKILLed mid-stream and restarted."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from genuine.cli import cli
from genuine.db import get_db
from genuine.jetstream.client import stored_cursor
from genuine.models import Account, BadgeCard, BlueskyActor, IngestCursor, lookup_key
from genuine.models import Follow as FollowRow
from genuine.models import Post as PostRow
from genuine.pipeline import queue
from tests.jetstream import frames as f
from tests.jetstream.mixed import mixed
from tests.jetstream.standin import Standin


def status(runner):
    out = runner.invoke(cli, ["jetstream", "--status"])
    assert out.exit_code == 0, out.output
    return out.output


def test_status_before_anything_was_ingested(runner):
    assert status(runner) == (
        "cursor: none (no batch committed yet; `genuine jetstream` starts live)\n"
        "events: 0 (0 bad, skipped)\naccounts: 0\ncards held: 0\n"
    )


def test_status_reports_cursor_lag_rate_accounts_and_cards(app, runner):
    engine = get_db(app).engine
    now = datetime.now(UTC)
    cursor = int((now - timedelta(seconds=90)).timestamp() * 1_000_000)
    with engine.begin() as conn:
        conn.execute(
            IngestCursor.__table__.insert().values(
                stream="jetstream", time_us=cursor, updated_at=now, events=12345, bad=7, rate=812.5
            )
        )
        actors = [{"did": f.did(n), "first_seen": now} for n in range(3)]
        conn.execute(BlueskyActor.__table__.insert(), actors)
        for platform, handle in (("bluesky", "a.bsky.social"), ("mastodon", "b@social.test")):
            conn.execute(
                BadgeCard.__table__.insert().values(
                    lookup_key=lookup_key(platform, handle),
                    platform=platform,
                    handle=handle,
                    computed_at=now,
                    model_version="t",
                    card={},
                    etag="e",
                    compact='{"badges":{}}',
                )
            )
    out = status(runner)
    lines = out.splitlines()
    assert re.fullmatch(r"cursor: \S+ \(time_us \d+\)", lines[0]) and str(cursor) in lines[0]
    lag = float(re.fullmatch(r"lag: ([\d.]+) s behind now", lines[1]).group(1))
    assert 90 <= lag < 120
    assert lines[2:] == [
        "events per second: 812.5 (last minute)",
        "events: 12,345 (7 bad, skipped)",
        "accounts: 3",
        "cards held: 1",
    ]
    with engine.begin() as conn:  # no batch for ten minutes: the rate is not current
        conn.execute(IngestCursor.__table__.update().values(updated_at=now - timedelta(minutes=10)))
    assert "events per second: 0 (last batch 10.0 min ago;" in status(runner)


def test_a_url_that_is_not_a_websocket_is_refused(runner):
    out = runner.invoke(cli, ["jetstream", "--url", "https://jetstream.example/subscribe"])
    assert out.exit_code == 2
    assert "error: not a ws:// or wss:// URL: 'https://jetstream.example/subscribe'" in out.output


def _start(app, url: str, log) -> subprocess.Popen:
    env = {
        **os.environ,
        "GENUINE_DATABASE_URL": app.config["DATABASE_URL"],
        "GENUINE_INSTANCE_PATH": app.instance_path,
    }
    command = [sys.executable, "-c", "from genuine.cli import main; main()", "jetstream"]
    options = ["--url", url, "--batch-size", "50", "--batch-seconds", "0.2", "--rescore-every", "1"]
    return subprocess.Popen(
        [*command, *options, "--progress-seconds", "1"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _wait(what, check, log, seconds=90.0):
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}:\n{log.read_text()}")
        time.sleep(0.02)


@pytest.mark.slow
def test_sigkill_mid_stream_then_restart_loses_nothing_and_doubles_nothing(app, tmp_path):
    engine = get_db(app).engine
    stream, want = mixed(3000, seed=11)
    times = sorted(frame["time_us"] for frame in stream)
    logfile = tmp_path / "jetstream.log"
    with Standin(delay=0.002) as jet, logfile.open("wb") as log:
        jet.add(*stream)
        first = _start(app, jet.url, log)
        try:
            _wait(
                "a third of the stream",
                lambda: (stored_cursor(engine, "jetstream") or 0) >= times[1000],
                logfile,
            )
            os.killpg(first.pid, signal.SIGKILL)
            assert first.wait(10) == -signal.SIGKILL
        finally:
            if first.poll() is None:
                os.killpg(first.pid, signal.SIGKILL)
        killed_at = stored_cursor(engine, "jetstream")
        committed = sum(t <= killed_at for t in times)
        assert committed < len(times)
        assert jet.sent > committed  # frames were on their way, not yet committed
        second = _start(app, jet.url, log)
        try:
            _wait(
                "the whole stream",
                lambda: stored_cursor(engine, "jetstream") == want.last_time_us,
                logfile,
            )
            second.send_signal(signal.SIGTERM)
            assert second.wait(20) == 0, logfile.read_text()
        finally:
            if second.poll() is None:
                os.killpg(second.pid, signal.SIGKILL)
        assert jet.requests[1]["cursor"] == [str(killed_at - 5_000_000)]
    text = logfile.read_text()
    assert "SIGTERM: committing the batch in hand and stopping" in text
    with engine.connect() as conn:
        follows = set(map(tuple, conn.execute(sa.select(FollowRow.follower, FollowRow.followee))))
        posts = conn.execute(sa.select(PostRow.post_id, PostRow.in_reply_to_post_id))
        posts = dict(map(tuple, posts))
        actors = dict(map(tuple, conn.execute(sa.select(BlueskyActor.did, BlueskyActor.handle))))
        names = conn.execute(
            sa.select(Account.handle, Account.display_name).where(Account.display_name.is_not(None))
        )
        names = dict(map(tuple, names))
        events, bad = conn.execute(sa.select(IngestCursor.events, IngestCursor.bad)).one()
    assert follows == want.follows
    assert posts == want.posts
    assert set(actors) == want.actors
    assert {did: h for did, h in actors.items() if h} == want.handles
    assert names == want.names
    assert (events, bad) == (want.frames, want.bad)  # each frame counted once, replays not
    # every account touched is claimed for rescoring and its job queued for `genuine worker`
    with engine.connect() as conn:
        unclaimed = conn.execute(
            sa.select(sa.func.count())
            .select_from(BlueskyActor.__table__)
            .where(BlueskyActor.scored_at.is_(None), BlueskyActor.active.is_(True))
        ).scalar_one()
    assert unclaimed == 0
    with app.app_context():
        assert queue.get_huey().pending_count() >= 1
