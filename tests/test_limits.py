"""Rate limits shared through Redis: two app instances (two workers) count together."""

from genuine import create_app
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
