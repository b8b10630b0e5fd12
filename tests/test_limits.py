"""Rate limits shared through Redis: two app instances (two workers) count together."""

import threading
import time

from genuine import create_app, limits
from genuine.db import upgrade


def test_redis_counters_are_shared_between_workers(redis_url, tmp_path):
    config = {
        "INSTANCE_PATH": str(tmp_path),
        "REDIS_URL": redis_url,
        "RATE_LIMIT_READ": "3 per minute",
    }
    first, second = create_app(config), create_app(config)
    upgrade(first)
    statuses = [
        app.test_client().get("/api/v1/meta").status_code for app in (first, second, first, second)
    ]
    assert statuses == [200, 200, 200, 429]


def test_memory_counters_by_default(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path), "RATE_LIMIT_READ": "1 per minute"})
    upgrade(app)
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
    client = app.test_client()
    assert [client.get("/api/v1/meta").status_code for _ in range(2)] == [200, 429]


def test_behind_a_trusted_proxy_limits_count_per_client(tmp_path):
    def statuses(**config):
        app = create_app(
            {"INSTANCE_PATH": str(tmp_path), "RATE_LIMIT_READ": "1 per minute"} | config
        )
        upgrade(app)
        client = app.test_client()
        return [
            client.get("/api/v1/meta", headers={"X-Forwarded-For": ip}).status_code
            for ip in ("203.0.113.1", "203.0.113.2")
        ]

    assert statuses(TRUSTED_PROXIES=1) == [200, 200]
    assert statuses() == [200, 429]  # without it the header is ignored: one client


def test_memory_counters_start_no_thread_per_hit(tmp_path, monkeypatch):
    """limits' MemoryStorage starts a Timer thread on nearly every hit (issue 16 profile);
    the app's in-memory counters expire lazily instead, and still count and refuse."""
    app = create_app({"INSTANCE_PATH": str(tmp_path), "RATE_LIMIT_READ": "5 per minute"})
    upgrade(app)
    client = app.test_client()
    client.get("/api/v1/meta")
    started = []
    real_start = threading.Thread.start
    monkeypatch.setattr(threading.Thread, "start", lambda t: started.append(t) or real_start(t))
    statuses = []
    for _ in range(5):
        time.sleep(0.015)  # longer than the stock timer's 10 ms: it would start again each time
        statuses.append(client.get("/api/v1/meta").status_code)
    assert statuses == [200, 200, 200, 200, 429]
    assert started == []


def test_swept_memory_storage_forgets_ended_windows(monkeypatch):
    storage = limits.SweptMemoryStorage()
    now = [1000.0]
    monkeypatch.setattr(limits.time, "time", lambda: now[0])
    monkeypatch.setattr("limits.storage.memory.time.time", lambda: now[0])
    storage._swept_at = now[0]
    assert [storage.incr("a", 60) for _ in range(3)] == [1, 2, 3]
    assert storage.incr("b", 1) == 1
    now[0] += 2  # b's window has ended, a's has not; a sweep is due
    assert storage.incr("a", 60) == 4
    assert "b" not in storage.storage and "b" not in storage.expirations
    now[0] += 60
    assert storage.get("a") == 0
    assert storage.incr("a", 60) == 1


def test_fallback_counters_start_no_thread_per_hit(tmp_path, monkeypatch):
    """Redis down: the in-memory fallback counts and refuses, and expires lazily too."""
    app = create_app(
        {
            "INSTANCE_PATH": str(tmp_path),
            "REDIS_URL": "redis://127.0.0.1:1/0",  # a closed port
            "RATE_LIMIT_READ": "4 per minute",
        }
    )
    upgrade(app)
    client = app.test_client()
    client.get("/api/v1/meta")  # finds Redis unreachable, falls back to memory
    started = []
    real_start = threading.Thread.start
    monkeypatch.setattr(threading.Thread, "start", lambda t: started.append(t) or real_start(t))
    statuses = []
    for _ in range(4):
        time.sleep(0.015)
        statuses.append(client.get("/api/v1/meta").status_code)
    assert statuses == [200, 200, 200, 429]
    assert started == []
