"""The job queue on huey's SQLite and Redis storages, including a worker killed mid-audit."""

import os
import re
import signal
import subprocess
import sys
import threading
import time

import pytest
import sqlalchemy as sa

from genuine.db import get_db, upgrade
from genuine.models import Audit, BadgeCard, Follow, Snapshot
from genuine.pipeline import audits, queue
from tests.sources.fakes import FakeMastodon

FOLLOWERS = 400


@pytest.fixture(params=["sqlite", "redis"])
def queue_url(request) -> str | None:
    return request.getfixturevalue("redis_url") if request.param == "redis" else None


@pytest.fixture
def fake(httpserver):
    fake = FakeMastodon(followers=FOLLOWERS)
    httpserver.expect_request(re.compile("^/api/.*")).respond_with_handler(fake)
    return fake


@pytest.fixture
def queue_app(tmp_path, queue_url, httpserver):
    from genuine import create_app

    settings = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'genuine.sqlite'}",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "test",
        "REDIS_URL": queue_url,
        "MASTODON_BASE_URL": httpserver.url_for("/").rstrip("/"),
        "AUDIT_LEASE_SECONDS": 2,
        "SOURCE_BACKOFF": 0.01,
    }
    app = create_app(settings)
    with app.app_context():
        upgrade(app)
    yield app, settings
    get_db(app).engine.dispose()


def count(engine, model) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(model.__table__)).scalar_one()


def test_requests_share_one_message_and_a_worker_runs_it(queue_app, fake):
    app, _settings = queue_app
    with app.app_context():
        first, created = queue.request("mastodon", "alice@social.test")
        second, again = queue.request("mastodon", "alice@social.test")
        huey = queue.get_huey()
        assert created and not again and first["id"] == second["id"]
        assert huey.pending_count() == 1
        message = huey.dequeue()
        assert huey.execute(message) == "done"
    done = audits.get(get_db(app).engine, first["id"])
    assert done["status"] == "done" and count(get_db(app).engine, BadgeCard) == 1


def test_lost_audits_are_queued_again(queue_app):
    app, _settings = queue_app
    engine = get_db(app).engine
    with app.app_context():
        made, _ = audits.request_audit(engine, "mastodon", "bob@social.test", followers=5)
        audits.claim(engine, made["id"], lease_seconds=0.001)
        time.sleep(0.01)
        assert queue.requeue_lost(app) == 1
        assert queue.get_huey().pending_count() == 1


def _worker(settings: dict, log) -> subprocess.Popen:
    env = {**os.environ}
    for name in ("DATABASE_URL", "INSTANCE_PATH", "MASTODON_BASE_URL", "AUDIT_LEASE_SECONDS"):
        env[f"GENUINE_{name}"] = str(settings[name])
    if settings["REDIS_URL"]:
        env["GENUINE_REDIS_URL"] = settings["REDIS_URL"]
    code = "from genuine.cli import main; main()"
    return subprocess.Popen(
        [sys.executable, "-c", code, "worker", "--workers", "1"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _wait(what, check, seconds=60.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.slow
def test_worker_killed_mid_audit_is_replaced_and_the_audit_completes_once(
    queue_app, fake, tmp_path
):
    app, settings = queue_app
    engine = get_db(app).engine
    reached, release = threading.Event(), threading.Event()
    serve = fake.__call__

    def blocking(request):
        # The second page of followers hangs the first time: the worker is mid-audit.
        if request.args.get("max_id") == "80" and not reached.is_set():
            reached.set()
            release.wait(30)
        return serve(request)

    fake.__class__ = type("Blocking", (FakeMastodon,), {"__call__": lambda self, r: blocking(r)})
    with app.app_context():
        made, _ = queue.request("mastodon", "alice@social.test")
    log = (tmp_path / "worker.log").open("wb")
    first = _worker(settings, log)
    try:
        assert reached.wait(60), (tmp_path / "worker.log").read_text()
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(10)
        release.set()
        assert audits.get(engine, made["id"])["status"] == "running"
        time.sleep(2.5)  # the dead worker's lease runs out; the new worker queues it again
        second = _worker(settings, log)
        try:
            _wait(
                "the audit to finish",
                lambda: audits.get(engine, made["id"])["status"] in ("done", "failed"),
            )
        finally:
            second.send_signal(signal.SIGINT)
            second.wait(20)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
        log.close()
    done = audits.get(engine, made["id"])
    assert done["status"] == "done", (done, (tmp_path / "worker.log").read_text())
    assert done["attempts"] == 2
    assert count(engine, Audit) == 1 and count(engine, BadgeCard) == 1
    assert count(engine, Snapshot) == 1 and count(engine, Follow) == FOLLOWERS + 3
    with engine.connect() as conn:
        card = conn.execute(sa.select(BadgeCard.__table__.c.card)).scalar_one()
    assert card["badges"]["follower_purchase_risk"]["sample_size"] == FOLLOWERS
