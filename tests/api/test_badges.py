import hashlib
import json

import pytest

from genuine.cards.store import save_cards
from genuine.db import get_db
from tests.cards import make_card

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


def test_lookup_answers_invalid_handles_per_item(client, cards):
    """One handle that cannot be one on its platform fails no batch (issue 15): it is
    answered in `invalid`, with why, and the other items as usual."""
    accounts = [
        {"platform": "x", "handle": "amazonhelp"},
        {"platform": "mastodon", "handle": "first.last@friendica.example"},
        {"platform": "bluesky", "handle": "-a-.bsky.social"},
        {"platform": "x", "handle": "<script>"},
        {"platform": "x", "handle": "nobody"},
        {"platform": "x", "handle": "<script>"},
    ]
    response = client.post("/api/v1/badges/lookup", json={"accounts": accounts})
    assert response.status_code == 200, response.json
    assert [c["handle"] for c in response.json["found"]] == ["amazonhelp"]
    assert response.json["not_found"] == [{"platform": "x", "handle": "nobody"}]
    invalid = response.json["invalid"]
    assert [(i["platform"], i["handle"]) for i in invalid] == [
        ("mastodon", "first.last@friendica.example"),
        ("bluesky", "-a-.bsky.social"),
        ("x", "<script>"),
    ]
    assert {i["code"] for i in invalid} == {"invalid_handle"}
    assert "user@instance" in invalid[0]["detail"] and "domain" in invalid[1]["detail"]


def test_lookup_of_only_invalid_handles_reads_nothing(client):
    body = {"accounts": [{"platform": "x", "handle": "a" * 16}]}
    response = client.post("/api/v1/badges/lookup", json=body)
    assert response.status_code == 200
    assert response.json["found"] == [] and response.json["not_found"] == []
    assert response.json["invalid"][0]["handle"] == "a" * 16


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
        ({"json": {"accounts": [{"platform": "x", "handle": 7}]}}, 400, "invalid_body"),
        ({"json": {"accounts": [{"platform": "x", "handle": "a" * 513}]}}, 400, "invalid_body"),
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


def _ranges(client, prefixes, compact=False):
    return client.post("/api/v1/badges/ranges", json={"prefixes": prefixes, "compact": compact})


def test_ranges_answer_what_the_single_prefix_endpoint_answers(app, client, cards):
    with get_db(app).engine.begin() as conn:
        save_cards(conn, (make_card("x", f"user{i}") for i in range(300)))
    app.extensions["genuine.card_count"].at = float("-inf")
    assert client.get("/api/v1/meta").json["prefix_length"] == 1
    # Mixed lengths, upper case, a repeat and a prefix inside another are all answered.
    prefixes = ["0", "A", "a", "ab", "f3", "ffff"]
    response = _ranges(client, prefixes)
    assert response.status_code == 200
    buckets = response.json["buckets"]
    assert list(buckets) == ["0", "a", "ab", "f3", "ffff"]
    for prefix, bucket in buckets.items():
        single = client.get(f"/api/v1/badges/range/{prefix}").json["cards"]
        assert bucket == single
        assert list(bucket) == sorted(bucket)
    assert len(buckets["0"]) > 5
    assert set(buckets["ab"]) == {s[1:] for s in buckets["a"] if s.startswith("b")}


def test_compact_entries_hold_what_a_badge_shows(app, client, cards):
    with get_db(app).engine.begin() as conn:
        ring = make_card("x", "ringleader")
        ring["badges"]["follow_back_ring"].update(level="member", ring_id="r1", ring_size=12)
        ring["synthetic"] = True
        save_cards(conn, [ring])
    every = [f"{i:x}" for i in range(16)]
    full = _ranges(client, every).json["buckets"]
    compact = _ranges(client, every, compact=True).json["buckets"]
    assert {p: set(b) for p, b in compact.items()} == {p: set(b) for p, b in full.items()}
    key = hashlib.sha256(b"x:ringleader").hexdigest()
    assert compact[key[0]][key[1:]] == {
        "badges": {
            "follower_purchase_risk": {"level": "low", "score": 0.07},
            "reply_rate": {"level": "responsive", "answered_share": 0.93},
            "follow_back_ring": {"level": "member", "ring_size": 12},
        },
        "synthetic": True,
    }
    evil = hashlib.sha256(b"x:evil").hexdigest()
    entry = compact[evil[0]][evil[1:]]
    assert entry["badges"]["follow_back_ring"] == {"level": "not_member"}
    assert "synthetic" not in entry and "handle" not in entry
    assert "<img" not in json.dumps(compact)  # reasons stay in the full card
    size = len(_ranges(client, every, compact=True).data)
    assert size * 2 < len(_ranges(client, every).data)


@pytest.mark.parametrize(
    ("body", "code", "words"),
    [
        ({"prefixes": [f"{i % 16:x}" for i in range(101)]}, "invalid_body", "at most 100"),
        ({"prefixes": []}, "invalid_body", "at least 1"),
        ({"prefixes": ["xyz"]}, "invalid_body", "prefixes.0"),
        ({"prefixes": ["a", "a-b"]}, "invalid_body", "prefixes.1"),
        ({"prefixes": ["0" * 65]}, "invalid_body", "prefixes.0"),
        ({"prefixes": "ab"}, "invalid_body", "prefixes"),
        ({"prefixes": ["ab"], "compact": "yes"}, "invalid_body", "compact"),
        ({"prefixes": ["ab"], "handles": ["jack"]}, "invalid_body", "handles"),
    ],
)
def test_bad_ranges_requests_are_problems(client, body, code, words):
    response = client.post("/api/v1/badges/ranges", json=body)
    assert response.status_code == 400 and response.mimetype == PROBLEM
    assert response.json["code"] == code
    assert words in response.json["detail"]


def test_ranges_refuse_prefixes_shorter_than_announced(app, client):
    app.config["PRIVATE_BUCKET_SIZE"] = 4
    with get_db(app).engine.begin() as conn:
        save_cards(conn, (make_card("x", f"user{i}") for i in range(4 * 16 * 16)))
    app.extensions["genuine.card_count"].at = float("-inf")
    assert client.get("/api/v1/meta").json["prefix_length"] == 2
    response = _ranges(client, ["ab", "c", "de"])
    assert response.status_code == 400 and response.mimetype == PROBLEM
    assert response.json["code"] == "prefix_too_short" and "'c'" in response.json["detail"]
    assert _ranges(client, ["ab", "cde"]).status_code == 200


def test_ranges_take_json_only(client):
    response = client.post("/api/v1/badges/ranges", data="prefixes=ab")
    assert response.status_code == 415 and response.mimetype == PROBLEM


def test_batch_answers_are_gzipped_when_the_client_accepts_it(client, app):
    import gzip

    with get_db(app).engine.begin() as conn:
        save_cards(conn, [make_card("x", f"user{i}") for i in range(40)])
    body = {"accounts": [{"platform": "x", "handle": f"user{i}"} for i in range(40)]}
    plain = client.post("/api/v1/badges/lookup", json=body)
    packed = client.post("/api/v1/badges/lookup", json=body, headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed.vary
    assert gzip.decompress(packed.data) == plain.data
    assert len(packed.data) * 4 < len(plain.data)
    card = client.get("/api/v1/badges/x/user1", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in card.headers  # ETag'd answers stay as they are


def test_lookups_over_the_read_limit_answer_429_with_retry_after(app, client, cards):
    """The hot path keeps its rate limit (issue 16): the third lookup in a minute is refused."""
    app.config["RATE_LIMIT_READ"] = "2 per minute"
    body = {"accounts": [{"platform": "x", "handle": "amazonhelp"}]}
    answers = [client.post("/api/v1/badges/lookup", json=body) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    refused = answers[-1]
    assert refused.mimetype == PROBLEM and refused.json["status"] == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # SQLite's query plans
def test_sqlite_reads_cards_by_key_off_the_primary_key_index(app, cards):
    """SQLite's planner would take ix_badgecard_key_compact (key and compact entry, 3.5x
    the primary key's index at 1M cards) for a key list or a full-card range; the
    statements name the primary key's index, and the compact range keeps its covering one."""
    from genuine.api import badges
    from genuine.api import cards as statements

    engine = get_db(app).engine
    plans = {
        "lookup": (badges._SQLITE_MANY.format("?,?"), ("a", "b")),
        "range": (statements._RANGE_ENTRIES["sqlite", False], ("a", "b")),
        "compact range": (statements._RANGE_ENTRIES["sqlite", True], ("a", "b")),
    }
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")  # as after an import; the planner's choice changes
        used = {
            name: " ".join(
                row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params)
            )
            for name, (sql, params) in plans.items()
        }
    assert "INDEX sqlite_autoindex_badgecard_1 " in used["lookup"], used
    assert "INDEX sqlite_autoindex_badgecard_1 " in used["range"], used
    assert "COVERING INDEX ix_badgecard_key_compact " in used["compact range"], used
