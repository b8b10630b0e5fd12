import pytest

from genuine.sources import AccountGone, SourceError, open_source
from genuine.sources.bluesky import post_id
from tests.sources.conftest import config


def fetch(base, handle="alice.bsky.test", followers=2000):
    source = open_source("bluesky", config(base), handle)
    return source, source.fetch(handle, followers=followers, posts=40)


def test_fetches_profile_followers_with_counts_and_threads(bluesky, base):
    source, got = fetch(base, "@Alice.Bsky.Test")
    assert got.handle == "alice.bsky.test" and got.source == f"bluesky:{base}"
    assert got.account["followers_count"] == 130 and got.account["extra"]["did"] == bluesky.did
    # Two pages of getFollowers (100 + 30), then getProfiles 25 at a time for the counts.
    assert bluesky.calls.count("app.bsky.graph.getFollowers") == 2
    assert bluesky.calls.count("app.bsky.actor.getProfiles") == 6 + 1  # followers, follows
    assert len(got.followers) == 130
    assert all(f["followers_count"] is not None for f in got.followers)
    fake = next(f for f in got.followers if f["handle"].startswith("u5x"))
    assert fake["has_avatar"] is False and fake["posts_count"] == 0
    assert len(got.following) == 3
    questions = [p for p in got.posts if p["in_reply_to_author"] == "alice.bsky.test"]
    answers = [
        p for p in got.posts if p["author"] == "alice.bsky.test" and p["in_reply_to_post_id"]
    ]
    assert len(questions) == 6 and len(answers) == 3
    assert all(len(p["post_id"]) <= 64 for p in got.posts)
    assert got.requests == source.http.total


def test_profile_not_found_and_takedown(httpserver, base):
    httpserver.expect_oneshot_request("/xrpc/app.bsky.actor.getProfile").respond_with_json(
        {"error": "InvalidRequest", "message": "Profile not found"}, status=400
    )
    with pytest.raises(AccountGone, match="Profile not found"):
        fetch(base)
    httpserver.expect_oneshot_request("/xrpc/app.bsky.actor.getProfile").respond_with_json(
        {"error": "AccountTakedown", "message": "Account has been suspended"}, status=400
    )
    with pytest.raises(AccountGone, match="AccountTakedown"):
        fetch(base)


def test_other_errors_are_source_errors(httpserver, base):
    httpserver.expect_request("/xrpc/app.bsky.actor.getProfile").respond_with_json(
        {"error": "InvalidRequest", "message": "Error: actor must be a valid did or a handle"},
        status=400,
    )
    with pytest.raises(SourceError, match="HTTP 400") as caught:
        fetch(base)
    assert not isinstance(caught.value, AccountGone)


def test_pagination_survives_a_429_and_a_500(httpserver, base, bluesky):
    httpserver.expect_oneshot_request("/xrpc/app.bsky.graph.getFollowers").respond_with_json(
        {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
        status=429,
        headers={"RateLimit-Remaining": "0", "Retry-After": "0"},
    )
    httpserver.expect_oneshot_request("/xrpc/app.bsky.graph.getFollowers").respond_with_data(
        "upstream failure", status=503
    )
    _source, got = fetch(base)
    assert len(got.followers) == 130


def test_empty_account(httpserver, base):
    from tests.sources.fakes import FakeBluesky

    fake = FakeBluesky(followers=0, posts=0)
    fake.main.update(followersCount=0, followsCount=0, postsCount=0)
    httpserver.expect_request("/xrpc/app.bsky.actor.getProfile").respond_with_handler(fake)
    httpserver.expect_request("/xrpc/app.bsky.feed.getAuthorFeed").respond_with_handler(fake)
    _source, got = fetch(base)
    assert got.followers == [] and got.following == [] and got.posts == []


def test_unicode_handle_is_asked_in_ascii(httpserver, base):
    from tests.sources.fakes import FakeBluesky

    fake = FakeBluesky(handle="xn--mnchen-3ya.example", followers=2, posts=1)
    fake.main["displayName"] = "München 🥨"
    httpserver.expect_request(
        "/xrpc/app.bsky.actor.getProfile", query_string={"actor": "xn--mnchen-3ya.example"}
    ).respond_with_handler(fake)
    httpserver.expect_request("/xrpc/app.bsky.graph.getFollowers").respond_with_handler(fake)
    httpserver.expect_request("/xrpc/app.bsky.graph.getFollows").respond_with_handler(fake)
    httpserver.expect_request("/xrpc/app.bsky.actor.getProfiles").respond_with_handler(fake)
    httpserver.expect_request("/xrpc/app.bsky.feed.getAuthorFeed").respond_with_handler(fake)
    httpserver.expect_request("/xrpc/app.bsky.feed.getPostThread").respond_with_handler(fake)
    _source, got = fetch(base, "München.Example")
    assert got.handle == "xn--mnchen-3ya.example"
    assert got.account["display_name"] == "München 🥨"


def test_post_ids_fit_the_column():
    assert post_id("at://did:plc:abc/app.bsky.feed.post/3k2a") == "did:plc:abc/3k2a"
    long = post_id("at://did:web:" + "a" * 80 + ".example/app.bsky.feed.post/3k2a")
    assert long.startswith("h:") and len(long) <= 64
