import re

import pytest

from genuine.cli import cli
from tests.sources.fakes import FakeMastodon

ALICE = {"account": {"platform": "mastodon", "handle": "@Alice@Social.Test"}}


@pytest.fixture
def key(runner) -> str:
    result = runner.invoke(cli, ["keys", "create", "extension"])
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def test_post_queues_one_shared_audit(client, key):
    headers = {"X-API-Key": key}
    first = client.post("/api/v1/audits", json=ALICE, headers=headers)
    assert first.status_code == 202, first.json
    assert first.json["status"] == "queued" and len(first.json["id"]) == 32
    assert first.headers["Location"] == f"/api/v1/audits/{first.json['id']}"
    again = client.post("/api/v1/audits", json=ALICE, headers=headers)
    assert again.status_code == 202 and again.json["id"] == first.json["id"]
    status = client.get(first.headers["Location"], headers=headers)
    assert status.status_code == 200
    assert status.json["handle"] == "alice@social.test" and status.json["status"] == "queued"
    assert status.json["card_url"] is None and status.json["error"] is None


def test_keys_and_bodies_are_checked(client, key):
    assert client.post("/api/v1/audits", json=ALICE).status_code == 401
    wrong = client.post("/api/v1/audits", json=ALICE, headers={"X-API-Key": key + "x"})
    assert wrong.status_code == 401 and wrong.json["code"] == "invalid_api_key"
    headers = {"X-API-Key": key}
    flat = client.post("/api/v1/audits", json={"platform": "x", "handle": "a"}, headers=headers)
    assert flat.status_code == 400 and flat.mimetype == "application/problem+json"
    bad = {"account": {"platform": "mastodon", "handle": "no-instance"}}
    assert client.post("/api/v1/audits", json=bad, headers=headers).status_code == 400
    insta = {"account": {"platform": "instagram", "handle": "someone"}}
    answer = client.post("/api/v1/audits", json=insta, headers=headers)
    assert answer.status_code == 422 and "Instagram has no open API" in answer.json["detail"]
    x = client.post(
        "/api/v1/audits", json={"account": {"platform": "x", "handle": "a"}}, headers=headers
    )
    assert x.status_code == 422 and x.json["code"] == "platform_unavailable"
    # The OpenAPI document names the code the 422 answers with (issue 15: it did not).
    spec = client.get("/api/v1/openapi.json").json
    assert (
        "platform_unavailable"
        in spec["paths"]["/api/v1/audits"]["post"]["responses"]["422"]["description"]
    )
    missing = client.get("/api/v1/audits/nope", headers=headers)
    assert missing.status_code == 404 and missing.json["code"] == "unknown_audit"
    assert client.get("/api/v1/audits/nope").status_code == 401


def test_an_audit_run_at_once_reports_done_with_its_card(app, client, key, httpserver):
    fake = FakeMastodon(followers=90)
    httpserver.expect_request(re.compile("^/api/.*")).respond_with_handler(fake)
    app.config.update(QUEUE_IMMEDIATE=True, MASTODON_BASE_URL=httpserver.url_for("/").rstrip("/"))
    headers = {"X-API-Key": key}
    posted = client.post("/api/v1/audits", json=ALICE, headers=headers)
    assert posted.status_code == 202
    status = client.get(f"/api/v1/audits/{posted.json['id']}", headers=headers).json
    assert status["status"] == "done" and status["requests"] >= 4
    assert status["card_url"].endswith("/api/v1/badges/mastodon/alice@social.test")
    card = client.get("/api/v1/badges/mastodon/alice@social.test")
    assert card.status_code == 200
    assert card.json["badges"]["follower_purchase_risk"]["sample_size"] == 90


def test_healthz_checks_the_queue(app, client):
    answer = client.get("/api/v1/healthz")
    assert answer.json["checks"]["queue"] == "ok"
    app.extensions.pop("genuine.huey", None)
    app.config["REDIS_URL"] = "redis://127.0.0.1:9/0"
    answer = client.get("/api/v1/healthz")
    assert answer.status_code == 503
    assert answer.json["checks"]["queue"] == "unreachable: ConnectionError (Redis)"
