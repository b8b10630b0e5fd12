"""The X source (API v2, app-only bearer token) against FakeX on pytest-httpserver."""

import time
from urllib.parse import parse_qs

import pytest

from genuine.sources import (
    AccountGone,
    RateLimited,
    SourceError,
    Unsupported,
    available,
    open_source,
)
from genuine.sources.x import XSource
from tests.sources.conftest import ANY, config
from tests.sources.fakes import FakeX

TOKEN = "test-token"


@pytest.fixture
def x(httpserver):
    fake = FakeX(followers=2500, tweets=12, token=TOKEN)
    httpserver.expect_request(ANY).respond_with_handler(fake)
    return fake


def source(base, **extra):
    return open_source("x", config(base, X_BEARER_TOKEN=TOKEN, **extra), "AliceX")


def fetch(base, handle="@AliceX", followers=2000, posts=40, **extra):
    src = source(base, **extra)
    return src, src.fetch(handle, followers=followers, posts=posts)


class Clock:
    """genuine.sources.http's clock: sleeping moves it on instead of waiting."""

    def __init__(self) -> None:
        self.now, self.slept = time.time(), []

    def time(self) -> float:
        return self.now

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr("genuine.sources.http.time", clock)
    return clock


def queries(httpserver, path):
    return [parse_qs(r.query_string.decode()) for r, _ in httpserver.log if r.path == path]


def test_fetches_user_followers_and_tweets(x, base, httpserver):
    src, got = fetch(base)
    assert got.platform == "x" and got.handle == "alicex" and got.source == f"x:{base}"
    # The bearer token goes with every request, next to the project's User-Agent.
    assert httpserver.log and all(
        r.headers["Authorization"] == f"Bearer {TOKEN}" for r, _ in httpserver.log
    )
    assert httpserver.log[0][0].headers["User-Agent"].startswith("Genuine/")
    account = got.account
    assert account == {
        **account,
        "platform": "x",
        "display_name": "Person 0 ✨",
        "bio": "Writing about things #0",
        "followers_count": 2500,
        "following_count": 50,
        "posts_count": 50,
        "has_avatar": True,
        "url": "https://t.co/link0",
        "verified": True,
        "is_private": False,
        "is_bot": None,
        "extra": {"listed_count": 0},
    }
    assert account["created_at"].isoformat() == "2025-09-27T00:00:00+00:00"
    # Two pages of 1000: the second asked with the first's next_token; the third not asked.
    pages = queries(httpserver, f"/2/users/{x.user_id}/followers")
    assert [q.get("pagination_token") for q in pages] == [None, ["1000"]]
    assert all(q["max_results"] == ["1000"] for q in pages)
    assert len(got.followers) == 2000
    assert [f["handle"] for f in got.followers[:2]] == ["person_1", "person_2"]
    bought = next(f for f in got.followers if f["handle"].startswith("u5x"))
    assert bought["has_avatar"] is False and bought["bio"] is None
    assert bought["posts_count"] == 0 and bought["followers_count"] == 2
    # Follows: every follower -> the account, no time; X gives no following here.
    assert got.following == []
    assert got.follows[:1] == [
        {"platform": "x", "follower": "person_1", "followee": "alicex", "followed_at": None}
    ]
    assert {f["followee"] for f in got.follows} == {"alicex"} and len(got.follows) == 2000
    # Tweets -> posts; replies name their parent tweet.
    assert len(got.posts) == 12
    newest = got.posts[0]
    assert newest["post_id"] == str(1_800_000_000_000_000_011)
    assert newest["author"] == "alicex" and newest["text"] == "Tweet 11: right?"
    assert newest["created_at"].isoformat() == "2026-10-30T00:00:00+00:00"
    replies = [p for p in got.posts if p["in_reply_to_post_id"]]
    assert len(replies) == 4
    assert replies[0]["in_reply_to_post_id"] == str(1_700_000_000_000_000_011)
    (tweets,) = queries(httpserver, f"/2/users/{x.user_id}/tweets")
    assert tweets["max_results"] == ["40"] and tweets["exclude"] == ["retweets"]
    assert got.notes == ["no_replies: X replies need the search API, not fetched"]
    assert got.requests == src.http.total == 1 + 2 + 1


def test_user_lookup_asks_for_the_fields_it_maps(x, base, httpserver):
    fetch(base, followers=0, posts=0)
    (lookup,) = queries(httpserver, "/2/users/by/username/alicex")
    asked = set(lookup["user.fields"][0].split(","))
    assert {"created_at", "description", "profile_image_url", "protected"} <= asked
    assert {"public_metrics", "verified", "url"} <= asked
    assert x.calls == ["/2/users/by/username/alicex"]  # nothing else when nothing is asked


def test_follower_sample_honours_the_asked_size(x, base, httpserver):
    _src, got = fetch(base, followers=2500 + 100)
    assert len(got.followers) == 2500
    assert x.calls.count(f"/2/users/{x.user_id}/followers") == 3  # 1000 + 1000 + 500
    httpserver.clear_log()
    x.calls.clear()
    _src, got = fetch(base, followers=999)
    assert len(got.followers) == 999
    assert x.calls.count(f"/2/users/{x.user_id}/followers") == 1


def test_account_without_followers_or_tweets(httpserver, base):
    fake = FakeX(followers=0, tweets=0, token=TOKEN)
    fake.main["public_metrics"]["followers_count"] = 0
    httpserver.expect_request(ANY).respond_with_handler(fake)
    _src, got = fetch(base)
    assert got.followers == [] and got.posts == [] and got.follows == []
    assert f"/2/users/{fake.user_id}/followers" not in fake.calls  # a count of 0 is believed
    assert fake.calls.count(f"/2/users/{fake.user_id}/tweets") == 1  # answered {"meta": ...}


def test_account_values_from_a_documented_user_object():
    """The user object of docs.x.com's user-lookup example, default avatar and all."""
    user = {
        "id": "2244994945",
        "name": "X Dev",
        "username": "XDevelopers",
        "created_at": "2013-12-14T04:35:55.000Z",
        "description": "The voice of the X Dev team",
        "protected": True,
        "verified": False,
        "url": "https://t.co/3ZX3TNiZCY",
        "profile_image_url": "https://abs.twimg.com/sticky/default_profile_images/default_profile_normal.png",
        "public_metrics": {
            "followers_count": 513868,
            "following_count": 2039,
            "tweet_count": 3635,
            "listed_count": 1672,
            "like_count": 2,
        },
    }
    account = XSource.account(user)
    assert account["handle"] == "xdevelopers" and account["display_name"] == "X Dev"
    assert account["bio"] == "The voice of the X Dev team"
    assert (account["followers_count"], account["following_count"], account["posts_count"]) == (
        513868,
        2039,
        3635,
    )
    assert account["created_at"].isoformat() == "2013-12-14T04:35:55+00:00"
    assert account["has_avatar"] is False  # the default egg/silhouette
    assert account["is_private"] is True and account["verified"] is False
    assert account["extra"] == {"listed_count": 1672}
    # Fields missing (not asked, or not sent) are unknown, not False or 0.
    bare = XSource.account({"id": "1", "name": "", "username": "Bare"})
    assert bare["handle"] == "bare" and bare["display_name"] is None
    assert bare["followers_count"] is None and bare["created_at"] is None
    assert bare["verified"] is None and bare["is_private"] is None
    assert bare["has_avatar"] is False


@pytest.mark.parametrize(
    ("name", "words"),
    [("nobody", "Could not find user with username"), ("banned", "User has been suspended")],
)
def test_missing_and_suspended_users_are_gone(x, base, name, words):
    """X answers both as HTTP 200 with an `errors` list and no `data`."""
    x.suspended.add("banned")
    with pytest.raises(AccountGone, match=words):
        fetch(base, name)
    assert x.calls == [f"/2/users/by/username/{name}"]


def test_a_refused_token_is_not_a_missing_account(x, base):
    with pytest.raises(SourceError, match="HTTP 401") as caught:
        open_source("x", config(base, X_BEARER_TOKEN="wrong"), "AliceX").fetch(
            "AliceX", followers=10, posts=5
        )
    assert not isinstance(caught.value, AccountGone)


@pytest.mark.parametrize("handle", ["alice/../../2/tweets", "a?b=c", "a#b", "", "sixteen_chars_xx"])
def test_handles_that_are_no_x_username_are_never_asked(x, base, handle):
    """X usernames are 1-15 of [A-Za-z0-9_]; anything else must not reach the URL path."""
    with pytest.raises(SourceError, match="not an X username"):
        fetch(base, handle)
    assert x.calls == []


def test_429_waits_for_x_rate_limit_reset(httpserver, base, x, clock):
    reset = int(clock.now) + 3
    httpserver.expect_oneshot_request("/2/users/by/username/alicex").respond_with_json(
        {
            "title": "Too Many Requests",
            "detail": "Too Many Requests",
            "type": "about:blank",
            "status": 429,
        },
        status=429,
        headers={
            "x-rate-limit-limit": "900",
            "x-rate-limit-remaining": "0",
            "x-rate-limit-reset": str(reset),
        },
    )
    src = source(base)
    src.http.sleep = clock.sleep
    got = src.fetch("AliceX", followers=0, posts=0)
    assert got.handle == "alicex" and x.calls == ["/2/users/by/username/alicex"]
    assert len(clock.slept) == 1 and 2 < clock.slept[0] <= 3  # the reset, not a 0.01 s backoff


def test_429_with_a_far_reset_fails_the_audit_for_later(httpserver, base, x):
    httpserver.expect_oneshot_request("/2/users/by/username/alicex").respond_with_json(
        {
            "title": "Too Many Requests",
            "detail": "Too Many Requests",
            "type": "about:blank",
            "status": 429,
        },
        status=429,
        headers={"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(int(time.time()) + 900)},
    )
    with pytest.raises(RateLimited, match="asks us to wait"):
        fetch(base)
    assert x.calls == []  # no retry hammered the endpoint


def test_a_used_up_window_paces_the_next_request(httpserver, base, x, clock):
    reset = int(clock.now) + 3
    httpserver.expect_oneshot_request("/2/users/by/username/alicex").respond_with_json(
        {"data": x.main},
        headers={"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)},
    )
    src = source(base)
    src.http.sleep = clock.sleep
    got = src.fetch("AliceX", followers=10, posts=0)
    assert len(got.followers) == 10
    assert len(clock.slept) == 1 and 2 < clock.slept[0] <= 3


def test_fewer_posts_than_the_api_minimum(x, base, httpserver):
    """max_results is at least 5 on the timeline; the audit still keeps only what it asked."""
    _src, got = fetch(base, followers=0, posts=2)
    (tweets,) = queries(httpserver, f"/2/users/{x.user_id}/tweets")
    assert tweets["max_results"] == ["5"] and len(got.posts) == 2


def test_x_is_available_only_with_a_token(base):
    assert "x" not in available(config(base))
    assert "x" not in available(config(base, X_BEARER_TOKEN=""))
    assert available(config(base, X_BEARER_TOKEN=TOKEN)) == ["mastodon", "bluesky", "x"]
    with pytest.raises(Unsupported, match="GENUINE_X_BEARER_TOKEN"):
        open_source("x", config(base), "AliceX")
    assert isinstance(source(base), XSource)
