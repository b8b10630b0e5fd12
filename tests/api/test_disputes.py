import pytest

from genuine.cli import cli

DISPUTE = {
    "account": {"platform": "x", "handle": "AmazonHelp"},
    "badge": "reply_rate",
    "reason": "We answer every customer within the hour.",
    "contact": "social@example.com",
}


def admin_key(runner) -> str:
    result = runner.invoke(cli, ["keys", "create", "ops", "--admin"])
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def test_anyone_can_dispute_and_admins_list(client, runner):
    response = client.post("/api/v1/disputes", json=DISPUTE)
    assert response.status_code == 201
    assert response.json["handle"] == "amazonhelp" and response.json["status"] == "open"
    assert client.get("/api/v1/disputes").status_code == 401
    key = admin_key(runner)
    listed = client.get("/api/v1/disputes", headers={"X-API-Key": key}).json["disputes"]
    assert [d["reason"] for d in listed] == [DISPUTE["reason"]]


def test_plain_keys_are_not_admin_and_revoked_keys_fail(client, runner):
    key = runner.invoke(cli, ["keys", "create", "extension"]).stdout.strip()
    assert key.startswith("gen_")
    response = client.get("/api/v1/disputes", headers={"X-API-Key": key})
    assert response.status_code == 403 and response.json["code"] == "admin_only"
    wrong = client.get("/api/v1/disputes", headers={"X-API-Key": key + "x"})
    assert wrong.status_code == 401 and wrong.json["code"] == "invalid_api_key"
    assert runner.invoke(cli, ["keys", "revoke", "1"]).exit_code == 0
    assert client.get("/api/v1/disputes", headers={"X-API-Key": key}).status_code == 401
    listing = runner.invoke(cli, ["keys", "list"]).stdout
    assert "extension" in listing and "revoked" in listing and key not in listing


def test_keys_are_stored_hashed(app, runner):
    import sqlalchemy as sa

    from genuine.db import get_db

    key = admin_key(runner)
    with get_db(app).engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT key_hash FROM apikey")).scalar()
    assert key not in stored and len(stored) == 64


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"reason": "short"}, "reason"),
        ({"contact": ""}, "contact"),
        ({"badge": "vibes"}, "badge"),
        ({"account": {"platform": "x", "handle": "not a handle!"}}, "account.x.handle"),
        ({"reason": "x" * 4001}, "reason"),
    ],
)
def test_bad_disputes(client, change, where):
    response = client.post("/api/v1/disputes", json={**DISPUTE, **change})
    assert response.status_code == 400
    assert response.json["errors"][0]["where"] == where


def test_disputes_cli_lists_and_resolves(client, runner):
    client.post("/api/v1/disputes", json=DISPUTE)
    assert "x:amazonhelp" in runner.invoke(cli, ["disputes", "list"]).stdout
    assert runner.invoke(cli, ["disputes", "resolve", "1", "--note", "rechecked"]).exit_code == 0
    assert runner.invoke(cli, ["disputes", "list"]).stdout == ""
    missing = runner.invoke(cli, ["disputes", "resolve", "99", "--note", "n"])
    assert missing.exit_code == 2 and "no dispute with id 99" in missing.stderr


def test_write_limit_answers_429_with_retry_after(app, client):
    app.config["RATE_LIMIT_WRITE"] = "2 per minute"
    statuses = [client.post("/api/v1/disputes", json=DISPUTE).status_code for _ in range(3)]
    assert statuses == [201, 201, 429]
    response = client.post("/api/v1/disputes", json=DISPUTE)
    assert response.mimetype == "application/problem+json"
    assert response.json["code"] == "rate_limited"
    assert int(response.headers["Retry-After"]) > 0
