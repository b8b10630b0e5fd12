"""Rate limits shared through Redis: two app instances (two workers) count together."""

import threading
import time
from functools import partial

from genuine import create_app, limits
from genuine.cli import cli
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


def test_each_api_key_counts_on_its_own_from_one_address(tmp_path):
    """The limiter finds the key before it counts: two keys behind one address (one NAT,
    one proxy) have a limit each; no key, or an unknown one, counts against the address."""
    app = create_app({"INSTANCE_PATH": str(tmp_path), "RATE_LIMIT_READ": "1 per minute"})
    upgrade(app)
    runner = app.test_cli_runner()
    keys = [runner.invoke(cli, ["keys", "create", name]).stdout.strip() for name in "ab"]
    client = app.test_client()
    for path in ("/api/v1/meta", "/api/v1/badges/lookup"):
        send = client.get if path.endswith("meta") else partial(client.post, json=LOOKUP)
        with_keys = [send(path, headers={"X-API-Key": key}).status_code for key in keys * 2]
        assert with_keys == [200, 200, 429, 429], path
        without = [send(path, headers=h).status_code for h in ({}, {"X-API-Key": "gen_no"})]
        assert without == [200, 429], path


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


LOOKUP = {"accounts": [{"platform": "x", "handle": "nobody"}]}


def _read_limit_answers(app, count: int) -> list:
    """`count` badge reads in a row: the lookup, one card, a range and private mode's ranges."""
    client = app.test_client()
    calls = [
        lambda: client.post("/api/v1/badges/lookup", json=LOOKUP),
        lambda: client.get("/api/v1/badges/x/nobody"),
        lambda: client.get("/api/v1/badges/range/ab"),
        lambda: client.post("/api/v1/badges/ranges", json={"prefixes": ["ab"]}),
    ]
    return [call() for call in calls for _ in range(count)]


def _limit_headers(response) -> dict:
    names = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After")
    return {name: response.headers.get(name) for name in names}


def test_badge_reads_count_once_per_request_with_flask_limiters_headers(tmp_path):
    """Badge reads take ReadLimit's one check (issue 16): each endpoint counts its own
    window, once a request, and answers 429 with the headers Flask-Limiter gives /meta."""
    app = create_app({"INSTANCE_PATH": str(tmp_path), "RATE_LIMIT_READ": "2 per minute"})
    upgrade(app)
    answers = _read_limit_answers(app, 3)
    assert [a.status_code for a in answers] == [200, 200, 429, 404, 404, 429] + [200, 200, 429] * 2
    client = app.test_client()
    meta = [client.get("/api/v1/meta") for _ in range(3)]
    for ours, theirs in zip(answers[:3], meta, strict=True):  # the same headers, step by step
        assert ours.status_code == theirs.status_code
        mine, flask_limiters = _limit_headers(ours), _limit_headers(theirs)
        # Each window starts at its first hit: /meta's started a little later, perhaps in
        # the next second.
        for timed in ("Retry-After", "X-RateLimit-Reset"):
            assert abs(int(flask_limiters.pop(timed)) - int(mine.pop(timed))) <= 1
        assert mine == flask_limiters
    refused = answers[2]
    assert refused.mimetype == "application/problem+json"
    assert refused.json == meta[2].json
    assert 0 < int(refused.headers["Retry-After"]) <= 60


def test_flask_limiters_own_hooks_step_aside_for_badge_reads(tmp_path):
    """Its check, headers and context reset each run behind a test of g.read_limit (issue
    16): if a Flask-Limiter release renames one, it is no longer found and this fails."""
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    limiter = app.extensions["genuine.limiter"]
    hooks = {
        "before": app.before_request_funcs[None],
        "after": app.after_request_funcs[None],
        "teardown": app.teardown_request_funcs[None],
    }
    theirs = {
        name: [h.__wrapped__ for h in found if hasattr(h, "__wrapped__")]
        for name, found in hooks.items()
    }
    assert theirs["before"] == [limiter._check_request_limit]
    assert [h.func for h in theirs["after"]] == [type(limiter)._Limiter__inject_headers]
    assert theirs["teardown"] == [limiter._Limiter__release_context]


def test_badge_read_counters_are_shared_through_redis(redis_url, tmp_path):
    config = {"INSTANCE_PATH": str(tmp_path), "REDIS_URL": redis_url, "RATE_LIMIT_READ": "3/minute"}
    first, second = create_app(config), create_app(config)
    upgrade(first)
    statuses = [
        app.test_client().post("/api/v1/badges/lookup", json=LOOKUP).status_code
        for app in (first, second, first, second)
    ]
    assert statuses == [200, 200, 200, 429]
    refused = second.test_client().post("/api/v1/badges/lookup", json=LOOKUP)
    assert refused.status_code == 429 and 0 < int(refused.headers["Retry-After"]) <= 60


def test_badge_reads_fall_back_to_memory_counters_when_redis_is_down(tmp_path, caplog):
    app = create_app(
        {
            "INSTANCE_PATH": str(tmp_path),
            "REDIS_URL": "redis://127.0.0.1:1/0",  # a closed port
            "RATE_LIMIT_READ": "3 per minute",
        }
    )
    upgrade(app)
    with caplog.at_level("WARNING", logger="flask-limiter"):
        answers = _read_limit_answers(app, 4)
    assert [a.status_code for a in answers[:4]] == [200, 200, 200, 429]
    assert 0 < int(answers[3].headers["Retry-After"]) <= 60
    assert "falling back to in-memory storage" in caplog.text


def test_badge_reads_unlimited_when_limits_are_off(tmp_path):
    app = create_app(
        {
            "INSTANCE_PATH": str(tmp_path),
            "RATE_LIMIT_READ": "1 per minute",
            "RATELIMIT_ENABLED": False,
        }
    )
    upgrade(app)
    answers = _read_limit_answers(app, 2)
    assert [a.status_code for a in answers] == [200, 200, 404, 404, 200, 200, 200, 200]
    assert "X-RateLimit-Limit" not in answers[0].headers
