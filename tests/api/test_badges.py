import hashlib

import pytest

from genuine.cardstore import save_cards
from genuine.db import get_db
from tests.api.conftest import make_card

PROBLEM = "application/problem+json"


def test_card_by_handle_normalises_and_caches(client, cards):
    response = client.get("/api/v1/badges/x/@AmazonHelp")
    assert response.status_code == 200
    assert response.json == cards[0]
    assert response.headers["Cache-Control"] == "public, max-age=900"
    etag = response.headers["ETag"]
    again = client.get("/api/v1/badges/x/amazonhelp", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""


def test_etag_changes_when_the_card_changes(app, client, cards):
    first = client.get("/api/v1/badges/x/amazonhelp").headers["ETag"]
    with get_db(app).engine.begin() as conn:
        save_cards(conn, [make_card("x", "amazonhelp", risk="medium")])
    response = client.get("/api/v1/badges/x/amazonhelp", headers={"If-None-Match": first})
    assert response.status_code == 200
    assert response.json["badges"]["follower_purchase_risk"]["level"] == "medium"
    assert response.headers["ETag"] != first


def test_mastodon_and_bluesky_handles(client, cards):
    assert client.get("/api/v1/badges/mastodon/Gargron@mastodon.social").status_code == 200
    assert client.get("/api/v1/badges/bluesky/alice.bsky.social").json["handle"] == (
        "alice.bsky.social"
    )


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/api/v1/badges/x/nobody", 404, "unknown_account"),
        ("/api/v1/badges/myspace/tom", 404, "unknown_platform"),
        ("/api/v1/badges/x/" + "a" * 16, 404, "invalid_handle"),
        ("/api/v1/badges/x/robert');DROP TABLE badgecard;--", 404, "invalid_handle"),
        ("/api/v1/badges/x/%C3%BCmlaut", 404, "invalid_handle"),
        ("/api/v1/badges/mastodon/gargron", 404, "invalid_handle"),
        ("/api/v1/badges/x/" + "a" * 5000, 404, "invalid_handle"),
    ],
)
def test_bad_card_requests_are_problems(client, cards, path, status, code):
    response = client.get(path)
    assert response.status_code == status
    assert response.mimetype == PROBLEM
    assert response.json["code"] == code and response.json["status"] == status
    assert response.json["detail"]


def test_unknown_account_says_an_audit_can_be_requested(client):
    assert "POST /api/v1/audits" in client.get("/api/v1/badges/x/nobody").json["detail"]


def test_lookup_returns_found_and_not_found_in_one_answer(client, cards):
    response = client.post(
        "/api/v1/badges/lookup",
        json={
            "accounts": [
                {"platform": "x", "handle": "AmazonHelp"},
                {"platform": "x", "handle": "nobody"},
                {"platform": "bluesky", "handle": "alice.bsky.social"},
                {"platform": "x", "handle": "@amazonhelp"},
            ]
        },
    )
    assert response.status_code == 200
    assert [c["handle"] for c in response.json["found"]] == ["amazonhelp", "alice.bsky.social"]
    assert response.json["not_found"] == [{"platform": "x", "handle": "nobody"}]


@pytest.mark.parametrize(
    ("kwargs", "status", "code"),
    [
        ({"data": "{not json", "content_type": "application/json"}, 400, "invalid_json"),
        (
            {"data": "accounts=1", "content_type": "application/x-www-form-urlencoded"},
            415,
            "unsupported_media_type",
        ),
        ({"json": {"accounts": []}}, 400, "invalid_body"),
        ({"json": {"accounts": [{"platform": "x", "handle": "a"}] * 101}}, 400, "invalid_body"),
        ({"json": {"accounts": [{"platform": "friendster", "handle": "a"}]}}, 400, "invalid_body"),
        ({"json": {"accounts": [{"platform": "x", "handle": "<script>"}]}}, 400, "invalid_body"),
        ({"json": {"accounts": [{"platform": "x"}]}}, 400, "invalid_body"),
        ({"json": [1, 2]}, 400, "invalid_body"),
    ],
)
def test_bad_lookups_are_problems(client, kwargs, status, code):
    response = client.post("/api/v1/badges/lookup", **kwargs)
    assert response.status_code == status, response.json
    assert response.mimetype == PROBLEM and response.json["code"] == code


def test_over_long_batch_names_the_limit(client):
    accounts = [{"platform": "x", "handle": f"u{i}"} for i in range(101)]
    response = client.post("/api/v1/badges/lookup", json={"accounts": accounts})
    assert "at most 100" in response.json["detail"]


def test_range_lookup_returns_the_bucket_keyed_by_suffix(client, cards):
    meta = client.get("/api/v1/meta").json
    length = meta["prefix_length"]
    assert meta["cards"] == 4 and length == 1
    key = hashlib.sha256(b"x:evil").hexdigest()
    response = client.get(f"/api/v1/badges/range/{key[:length]}")
    assert response.status_code == 200
    assert response.json["prefix"] == key[:length]
    picked = response.json["cards"][key[length:]]
    assert picked["badges"]["follower_purchase_risk"]["reasons"][0]["text"].startswith("<img")
    for suffix, card in response.json["cards"].items():
        full = hashlib.sha256(f"{card['platform']}:{card['handle']}".encode()).hexdigest()
        assert full == key[:length] + suffix
    etag = response.headers["ETag"]
    cached = client.get(f"/api/v1/badges/range/{key[:length]}", headers={"If-None-Match": etag})
    assert cached.status_code == 304


def test_range_prefix_grows_with_the_number_of_cards(app, client):
    with get_db(app).engine.begin() as conn:
        save_cards(conn, (make_card("x", f"user{i}") for i in range(64 * 16 + 1)))
    app.extensions["genuine.card_count"].at = float("-inf")
    assert client.get("/api/v1/meta").json["prefix_length"] == 1
    app.config["PRIVATE_BUCKET_SIZE"] = 4
    assert client.get("/api/v1/meta").json["prefix_length"] == 2
    response = client.get("/api/v1/badges/range/a")
    assert response.status_code == 400 and response.json["code"] == "prefix_too_short"


@pytest.mark.parametrize("prefix", ["xyz", "g", "0" * 65, "a-b"])
def test_bad_prefixes(client, prefix):
    response = client.get(f"/api/v1/badges/range/{prefix}")
    assert response.status_code in (400, 404)
    assert response.mimetype == PROBLEM
