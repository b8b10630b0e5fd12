import pytest

from genuine.sources import AccountGone, SourceError, open_source
from genuine.sources.http import UnsafeAddress
from genuine.sources.mastodon import split_handle
from tests.sources.conftest import config


def fetch(base, handle="alice@social.test", **kw):
    source = open_source("mastodon", config(base, **kw.pop("extra", {})), handle)
    return source, source.fetch(handle, followers=kw.get("followers", 2000), posts=40)


def test_fetches_account_followers_following_and_replies(mastodon, base):
    source, got = fetch(base, "@Alice@Social.Test")
    assert got.handle == "alice@social.test" and got.source == f"mastodon:{base}"
    account = got.account
    assert account["followers_count"] == 200 and account["posts_count"] == 51
    assert account["bio"] == "I write about things & more #1"
    assert account["display_name"] == "Person 1 ✨"
    assert account["url"] == "https://example.org/1" and account["has_avatar"] is True
    assert account["created_at"].tzinfo is not None
    # Three pages of followers (80 + 80 + 40), remote ones keep their instance.
    assert len(got.followers) == 200
    assert mastodon.calls.count("/api/v1/accounts/1/followers") == 3
    handles = {f["handle"] for f in got.followers}
    assert "person_3@other.example" in handles and "person_4@social.test" in handles
    fake = next(f for f in got.followers if f["handle"].startswith("user5x"))
    assert fake["has_avatar"] is False and fake["bio"] is None
    assert {(f["follower"], f["followee"]) for f in got.follows} >= {
        ("person_3@other.example", "alice@social.test"),
        ("alice@social.test", "person_3@other.example"),
    }
    # Replies come from status contexts; the account's answers name whom they answer.
    questions = [p for p in got.posts if p["in_reply_to_author"] == "alice@social.test"]
    answers = [
        p for p in got.posts if p["author"] == "alice@social.test" and p["in_reply_to_post_id"]
    ]
    assert len(questions) == 6 and len(answers) == 3
    assert all(a["in_reply_to_author"] for a in answers)
    assert all(p["post_id"].startswith("social.test/") for p in got.posts)
    assert got.requests == source.http.total == 1 + 3 + 1 + 1 + 6


def test_user_agent_names_the_project(mastodon, base, httpserver):
    fetch(base, followers=0)
    agent = httpserver.log[0][0].headers["User-Agent"]
    assert agent.startswith("Genuine/") and "(+http://genuine.test)" in agent


def test_sample_stops_at_the_asked_size(mastodon, base):
    _source, got = fetch(base, followers=100)
    assert len(got.followers) == 100
    assert mastodon.calls.count("/api/v1/accounts/1/followers") == 2


def test_hidden_followers(mastodon, base):
    mastodon.hide_collections = True
    _source, got = fetch(base)
    assert got.followers == [] and got.following == []
    assert got.notes[0].startswith("followers_hidden")
    assert "/api/v1/accounts/1/followers" not in mastodon.calls


def test_empty_follower_list_with_a_count_is_hidden(mastodon, base):
    mastodon.empty_followers = True
    _source, got = fetch(base)
    assert got.followers == [] and got.notes == [
        "followers_hidden: the instance answered no followers",
        "questions_read: 6 found in the newest 12 posts; stopped: the account has no older posts",
    ]


def test_empty_account(httpserver, base):
    from tests.sources.fakes import FakeMastodon

    fake = FakeMastodon(user="newbie", followers=0, posts=0)
    fake.main["following_count"] = 0
    httpserver.expect_request("/api/v1/accounts/lookup").respond_with_handler(fake)
    httpserver.expect_request("/api/v1/accounts/1/statuses").respond_with_handler(fake)
    _source, got = fetch(base, "newbie@social.test")
    assert got.followers == [] and got.posts == []
    assert got.notes == [
        "questions_read: 0 found in the newest 0 posts; stopped: the account has no older posts"
    ]


@pytest.mark.parametrize(
    ("status", "words"), [(404, "was not found"), (410, "suspended or deleted")]
)
def test_missing_and_suspended_accounts(httpserver, base, status, words):
    httpserver.expect_request("/api/v1/accounts/lookup").respond_with_json(
        {"error": "Record not found"}, status=status
    )
    with pytest.raises(AccountGone, match=words):
        fetch(base)


def test_suspended_flag(httpserver, base, mastodon):
    httpserver.expect_oneshot_request("/api/v1/accounts/lookup").respond_with_json(
        {**mastodon.main, "suspended": True}
    )
    with pytest.raises(AccountGone, match="suspended"):
        fetch(base)


def test_retries_429_honouring_the_reset_header(httpserver, base, mastodon):
    httpserver.expect_oneshot_request("/api/v1/accounts/lookup").respond_with_json(
        {"error": "Too many requests"},
        status=429,
        headers={
            "X-RateLimit-Limit": "300",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": "2000-01-01T00:00:00.000Z",
        },
    )
    httpserver.expect_oneshot_request("/api/v1/accounts/lookup").respond_with_data(
        "oops", status=502
    )
    _source, got = fetch(base, followers=0)
    assert got.handle == "alice@social.test"
    assert mastodon.calls.count("/api/v1/accounts/lookup") == 1  # the third try reached the fake


def test_gives_up_when_asked_to_wait_too_long(httpserver, base):
    from datetime import UTC, datetime, timedelta

    later = (datetime.now(UTC) + timedelta(minutes=5)).isoformat().replace("+00:00", "Z")
    httpserver.expect_request("/api/v1/accounts/lookup").respond_with_json(
        {"error": "Too many requests"},
        status=429,
        headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": later},
    )
    with pytest.raises(SourceError, match="asks us to wait"):
        fetch(base)


def test_persistent_500_and_malformed_json(httpserver, base):
    httpserver.expect_request("/api/v1/accounts/lookup").respond_with_data("down", status=500)
    with pytest.raises(SourceError, match="HTTP 500 4 times"):
        fetch(base)
    httpserver.clear()
    httpserver.expect_request("/api/v1/accounts/lookup").respond_with_data(
        '{"id": "1", "acct": ', content_type="application/json"
    )
    with pytest.raises(SourceError, match="malformed JSON"):
        fetch(base)


def test_unicode_instance_is_stored_in_ascii(httpserver, base):
    from tests.sources.fakes import FakeMastodon

    fake = FakeMastodon(domain="xn--bcher-kva.social", user="jurgen", followers=3, posts=0)
    fake.main["display_name"] = "Jürgen 🦊"
    httpserver.expect_request("/api/v1/accounts/lookup").respond_with_handler(fake)
    httpserver.expect_request("/api/v1/accounts/1/followers").respond_with_handler(fake)
    httpserver.expect_request("/api/v1/accounts/1/following").respond_with_handler(fake)
    httpserver.expect_request("/api/v1/accounts/1/statuses").respond_with_handler(fake)
    _source, got = fetch(base, "Jurgen@Bücher.Social")
    assert got.handle == "jurgen@xn--bcher-kva.social"
    assert got.account["display_name"] == "Jürgen 🦊"
    assert {f["handle"].split("@")[1] for f in got.followers} <= {
        "xn--bcher-kva.social",
        "other.example",
    }


def test_split_handle_refuses_non_handles():
    assert split_handle("@Gargron@Mastodon.Social") == ("gargron", "mastodon.social")
    for bad in ("gargron", "@mastodon.social", "a@b@c"):
        with pytest.raises(SourceError):
            split_handle(bad)


@pytest.mark.parametrize(
    "handle", ["a@127.0.0.1", "a@localhost", "a@example.org:8080", "a@[::1]", "a@x.org/p#"]
)
def test_split_handle_refuses_addresses_ports_and_paths(handle):
    with pytest.raises(SourceError, match="not a Mastodon handle"):
        split_handle(handle)


def test_an_instance_on_an_internal_address_is_never_asked(monkeypatch):
    """Without GENUINE_MASTODON_BASE_URL the handle picks the host: it must be public."""
    asked = []

    def resolve(host, port, type=0):
        asked.append(host)
        return [(2, type, 6, "", ("10.0.0.5", port))]

    monkeypatch.setattr("genuine.sources.http.socket.getaddrinfo", resolve)
    source = open_source("mastodon", {"PUBLIC_URL": "http://genuine.test"}, "a@intranet.example")
    with pytest.raises(UnsafeAddress):
        source.fetch("a@intranet.example", followers=10, posts=0)
    assert asked == ["intranet.example"] and source.http.total == 1


def test_a_next_link_off_the_server_is_not_followed(httpserver, base, mastodon):
    """A hostile instance's `Link: next` must not send the worker somewhere else."""
    page = mastodon.followers[:2]
    httpserver.expect_oneshot_request("/api/v1/accounts/1/followers").respond_with_json(
        page, headers={"Link": '<http://169.254.169.254/latest/meta-data/>; rel="next"'}
    )
    with pytest.raises(UnsafeAddress, match=r"169\.254\.169\.254"):
        fetch(base)
