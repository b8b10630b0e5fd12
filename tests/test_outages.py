"""Outages against the real services, stopped or pointed at a closed port: Redis down keeps
reads working (limits in memory), the database down or read-only answers 503, never 500,
and commands print one line."""

from __future__ import annotations

import logging
import shutil
import socket
import subprocess
import time

import pytest
import sqlalchemy as sa

from genuine import create_app
from genuine.cli import cli
from genuine.db import get_db, upgrade
from tests.conftest import skip_or_fail

CLOSED_REDIS = "redis://127.0.0.1:1/0"
CLOSED_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:1/genuine"
DISPUTE = {
    "account": {"platform": "x", "handle": "someone"},
    "reason": "the follower figures are wrong",
    "contact": "me@example.com",
}


def _app(tmp_path, **config):
    app = create_app(
        {"TESTING": True, "INSTANCE_PATH": str(tmp_path / "instance"), "SECRET_KEY": "t"} | config
    )
    return app


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def own_redis():
    """A throwaway redis-server on a spare port; the test may kill it (`.terminate()`)."""
    if not shutil.which("redis-server"):
        skip_or_fail(
            "redis-server not installed (a laptop without Redis)", "GENUINE_REQUIRE_SERVICES"
        )
    port = _free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                server.kill()
                pytest.fail("redis-server did not start")
            time.sleep(0.05)
    server.url = url
    yield server
    server.kill()
    server.wait()


def test_redis_stopping_keeps_reads_working_and_counts_limits_in_memory(
    tmp_path, own_redis, caplog
):
    app = _app(tmp_path, REDIS_URL=own_redis.url, RATE_LIMIT_READ="3 per minute")
    upgrade(app)
    client = app.test_client()
    assert client.get("/api/v1/healthz").status_code == 200
    own_redis.terminate()
    own_redis.wait()
    with caplog.at_level(logging.WARNING, logger="flask-limiter"):
        pages = [client.get(path).status_code for path in ("/", "/signin", "/report/x/nobody")]
        assert pages == [200, 200, 404]
        meta = [client.get("/api/v1/meta").status_code for _ in range(4)]
    # Counted in memory from the outage on: the read limit still holds.
    assert meta == [200, 200, 200, 429]
    assert "falling back to in-memory storage" in caplog.text
    health = client.get("/api/v1/healthz")
    assert health.status_code == 503
    assert health.mimetype == "application/problem+json"
    assert "Redis" in health.json["detail"] and "Redis" in health.json["checks"]["queue"]
    assert health.json["checks"]["rate_limits"].startswith("degraded:")
    assert health.headers["Retry-After"]


def test_redis_at_a_closed_port_is_a_warning_for_limits_and_a_503_for_queueing(tmp_path):
    app = _app(tmp_path, REDIS_URL=CLOSED_REDIS)
    upgrade(app)
    client = app.test_client()
    assert client.get("/api/v1/badges/x/demo_bakery").status_code == 404  # a read, answered
    assert client.get("/signin").status_code == 200
    health = client.get("/api/v1/healthz").json
    assert health["checks"]["database"] == "ok"
    assert "Redis" in health["detail"]
    queued = app.test_cli_runner().invoke(cli, ["audit", "bluesky", "a.bsky.social", "--queue"])
    assert queued.exit_code == 1
    assert queued.stderr.startswith("error: Redis (the job queue) is unreachable")
    assert len(queued.stderr.strip().splitlines()) == 1
    assert "Traceback" not in queued.output


def test_postgres_down_answers_503_with_retry_after_everywhere(tmp_path):
    app = _app(tmp_path, DATABASE_URL=CLOSED_POSTGRES)
    client = app.test_client()
    api = client.get("/api/v1/badges/x/someone")
    assert api.status_code == 503 and api.mimetype == "application/problem+json"
    assert api.json["code"] == "unavailable" and api.json["service"] == "database"
    assert "unreachable" in api.json["detail"] and int(api.headers["Retry-After"]) > 0
    # The batch lookup reads on the driver's cursor (db.read_cursor): the same answer.
    accounts = [{"platform": "x", "handle": "someone"}]
    batch = client.post("/api/v1/badges/lookup", json={"accounts": accounts})
    assert batch.status_code == 503 and batch.json["service"] == "database"
    assert "unreachable" in batch.json["detail"]
    assert client.post("/api/v1/disputes", json=DISPUTE).status_code == 503
    page = client.get("/report/x/someone")
    assert page.status_code == 503 and page.mimetype == "text/html"
    assert b"database is unreachable" in page.data and page.headers["Retry-After"]
    health = client.get("/api/v1/healthz")
    assert health.status_code == 503 and "database" in health.json["detail"]


def test_db_upgrade_with_postgres_down_prints_one_line(tmp_path):
    app = _app(tmp_path, DATABASE_URL=CLOSED_POSTGRES)
    result = app.test_cli_runner().invoke(cli, ["db", "upgrade"])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: the database is unreachable (connection failed")
    assert len(result.stderr.strip().splitlines()) == 1


def _read_only(url: str) -> str:
    if url.startswith("sqlite"):
        return url.replace("sqlite:///", "sqlite:///file:") + "?mode=ro&uri=true"
    return url + "%20-cdefault_transaction_read_only%3Don"


def test_read_only_database_refuses_writes_with_503_and_healthz_says_so(database_url, tmp_path):
    writable = _app(tmp_path, DATABASE_URL=database_url)
    upgrade(writable)
    assert writable.test_client().get("/api/v1/healthz").status_code == 200
    get_db(writable).engine.dispose()
    app = _app(tmp_path, DATABASE_URL=_read_only(database_url))
    client = app.test_client()
    assert client.get("/api/v1/badges/x/someone").status_code == 404  # reads still work
    write = client.post("/api/v1/disputes", json=DISPUTE)
    assert write.status_code == 503 and "read-only" in write.json["detail"]
    health = client.get("/api/v1/healthz")
    assert health.status_code == 503
    assert "read-only" in health.json["checks"]["database"]
    get_db(app).engine.dispose()


def test_full_sqlite_database_refuses_writes_with_503(tmp_path):
    app = _app(tmp_path)
    upgrade(app)
    engine = get_db(app).engine
    with engine.connect() as conn:  # no free pages either (migrations that rebuild a table
        conn.exec_driver_sql("VACUUM")  # leave some), so max_page_count leaves no room at all
    engine.dispose()

    @sa.event.listens_for(engine, "connect")
    def _no_room(dbapi_connection, _record):
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count={pages}")

    client = app.test_client()
    write = client.post("/api/v1/disputes", json=DISPUTE | {"reason": "x" * 4000})
    assert write.status_code == 503 and "full" in write.json["detail"]
    engine.dispose()
