from genuine.api import PREFIX


def test_meta_announces_what_clients_need(client, cards):
    meta = client.get("/api/v1/meta").json
    assert meta["platforms"] == ["x", "bluesky", "mastodon", "instagram"]
    assert meta["limits"]["lookup_batch"] == 100
    assert meta["synthetic"] is False


def test_healthz_ok_and_failing_when_not_migrated(client, app):
    assert client.get("/api/v1/healthz").json == {
        "status": "ok",
        "checks": {"database": "ok", "migrations": "ok", "queue": "ok", "rate_limits": "ok"},
    }
    from alembic import command

    from genuine.db import alembic_config, get_db

    with get_db(app).engine.begin() as conn:
        command.downgrade(alembic_config(conn), "base")
    get_db(app).at_head = False
    response = client.get("/api/v1/healthz")
    assert response.status_code == 503
    assert "genuine db upgrade" in response.json["checks"]["migrations"]


def test_every_api_route_is_in_the_openapi_document(app, client):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.1")
    documented = {
        (path, method.upper()) for path, ops in document["paths"].items() for method in ops
    }
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(PREFIX) or rule.endpoint.startswith("openapi"):
            continue
        if rule.rule in (f"{PREFIX}/openapi.json", f"{PREFIX}/spectree/openapi.json"):
            continue
        path = rule.rule.replace("<path:", "{").replace("<", "{").replace(">", "}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method) in documented, f"{method} {path} missing from openapi.json"


def test_unknown_api_paths_and_methods_are_problems(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    response = client.delete("/api/v1/meta")
    assert response.status_code == 405 and response.mimetype == "application/problem+json"
    assert "GET" in response.headers["Allow"]


def test_healthz_reports_the_ingest_lag_and_a_stalled_ingester(client, app):
    from datetime import UTC, datetime, timedelta

    from genuine.db import get_db
    from genuine.models import IngestCursor

    now = datetime.now(UTC)
    cursor = int((now - timedelta(seconds=30)).timestamp() * 1_000_000)
    with get_db(app).engine.begin() as conn:
        conn.execute(
            IngestCursor.__table__.insert().values(
                stream="jetstream", time_us=cursor, updated_at=now
            )
        )
    answer = client.get("/api/v1/healthz")
    assert answer.status_code == 200 and answer.json["checks"]["ingest"] == "ok"
    assert 29 < answer.json["ingest"]["lag_seconds"] < 120
    with get_db(app).engine.begin() as conn:
        conn.execute(IngestCursor.__table__.update().values(updated_at=now - timedelta(hours=1)))
    answer = client.get("/api/v1/healthz")  # stopped: the API still serves, and says so
    assert answer.status_code == 200
    assert answer.json["checks"]["ingest"].startswith("degraded: no batch for 60 min")
