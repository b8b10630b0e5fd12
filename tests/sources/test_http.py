import time

import pytest

from genuine.sources import BudgetExceeded, SourceError, Unsupported, available, open_source
from genuine.sources.http import (
    HttpClient,
    UnsafeAddress,
    _reset_seconds,
    is_public_address,
    public_https,
    same_origin,
)
from tests.sources.conftest import config


def test_reset_headers_in_every_form():
    now = 1_800_000_000.0
    assert _reset_seconds("30", now) == 30
    assert _reset_seconds(str(now + 12), now) == pytest.approx(12)  # X: epoch seconds
    assert _reset_seconds("2027-01-15T08:00:30.000Z", 1_800_000_000.0) is not None
    assert _reset_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now) == 0
    assert _reset_seconds("soon", now) is None and _reset_seconds(None, now) is None


def test_budget_per_host(httpserver):
    httpserver.expect_request("/ping").respond_with_json({})
    client = HttpClient(public_url="http://genuine.test", budget=3)
    for _ in range(3):
        client.get(httpserver.url_for("/ping"))
    with pytest.raises(BudgetExceeded):
        client.get(httpserver.url_for("/ping"))


def test_paces_when_the_window_is_used_up(httpserver):
    reset = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(time.time() + 2))
    httpserver.expect_request("/ping").respond_with_json(
        {}, headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}
    )
    slept = []
    client = HttpClient(public_url="http://genuine.test", sleep=slept.append)
    client.get(httpserver.url_for("/ping"))
    client.get(httpserver.url_for("/ping"))
    assert len(slept) == 1 and 0 < slept[0] <= 2


def test_instagram_and_x_without_a_token_are_unsupported(base):
    with pytest.raises(Unsupported, match="Instagram has no open API"):
        open_source("instagram", config(base), "someone")
    with pytest.raises(Unsupported, match="GENUINE_X_BEARER_TOKEN"):
        open_source("x", config(base), "someone")
    assert available(config(base)) == ["mastodon", "bluesky"]
    assert "x" in available(config(base, X_BEARER_TOKEN="t"))


def test_x_with_a_token(httpserver, base):
    user = {
        "id": "42",
        "username": "AmazonHelp",
        "name": "Amazon Help",
        "created_at": "2010-02-18T12:00:00.000Z",
        "public_metrics": {
            "followers_count": 2,
            "following_count": 1,
            "tweet_count": 9,
            "listed_count": 3,
        },
        "profile_image_url": "https://pbs.twimg.com/profile_images/1/a.jpg",
        "protected": False,
        "verified": True,
    }
    httpserver.expect_request(
        "/2/users/by/username/amazonhelp", headers={"Authorization": "Bearer t"}
    ).respond_with_json({"data": user})
    httpserver.expect_request("/2/users/42/followers").respond_with_json(
        {
            "data": [
                {**user, "id": "7", "username": "Fan_1"},
                {**user, "id": "8", "username": "fan_2"},
            ],
            "meta": {"result_count": 2},
        }
    )
    httpserver.expect_request("/2/users/42/tweets").respond_with_json(
        {
            "data": [
                {
                    "id": "1",
                    "text": "hi",
                    "created_at": "2026-11-01T00:00:00.000Z",
                    "referenced_tweets": [{"type": "replied_to", "id": "0"}],
                }
            ]
        }
    )
    got = open_source("x", config(base, X_BEARER_TOKEN="t"), "@AmazonHelp").fetch(
        "@AmazonHelp", followers=10, posts=5
    )
    assert got.handle == "amazonhelp" and [f["handle"] for f in got.followers] == ["fan_1", "fan_2"]
    assert got.posts[0]["in_reply_to_post_id"] == "0" and got.account["verified"] is True
    httpserver.clear()
    httpserver.expect_request("/2/users/by/username/gone").respond_with_json(
        {
            "errors": [
                {"title": "Not Found Error", "detail": "Could not find user with username: [gone]."}
            ]
        }
    )
    from genuine.sources import AccountGone

    with pytest.raises(AccountGone, match="Could not find"):
        open_source("x", config(base, X_BEARER_TOKEN="t"), "gone").fetch(
            "gone", followers=1, posts=0
        )


def _resolving_to(address):
    def resolve(host, port, type=0):
        return [(2, type, 6, "", (address, port))]

    return resolve


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org/api",  # not https
        "https://example.org:8443/api",  # another port
        "https://user:pw@example.org/api",
        "https://127.0.0.1/api",
        "https://[::1]/api",
        "https://169.254.169.254/latest/meta-data/",
        "https://10.1.2.3/",
        "https:///nohost",
    ],
)
def test_public_https_refuses_private_and_odd_addresses(url):
    with pytest.raises(UnsafeAddress):
        public_https(url)


@pytest.mark.parametrize("address", ["127.0.0.1", "10.0.0.5", "169.254.169.254", "fd00::1"])
def test_public_https_refuses_names_that_resolve_inside(address):
    with pytest.raises(UnsafeAddress, match="public addresses only"):
        public_https("https://innocent.example/api", resolve=_resolving_to(address))


# Every IPv6 spelling of an IPv4 address is judged by the IPv4 address it reaches.
ADDRESSES = [
    ("93.184.216.34", True),
    ("2606:2800:220:1:248:1893:25c8:1946", True),
    ("127.0.0.1", False),
    ("::1", False),
    ("::", False),
    ("fe80::1%eth0", False),
    ("::ffff:127.0.0.1", False),  # IPv4-mapped
    ("::ffff:10.0.0.1", False),
    ("::ffff:169.254.169.254", False),
    ("::ffff:93.184.216.34", True),
    ("::127.0.0.1", False),  # IPv4-compatible
    ("::10.1.2.3", False),
    ("::169.254.169.254", False),
    ("::93.184.216.34", True),
    ("64:ff9b::7f00:1", False),  # NAT64 well-known prefix, loopback
    ("64:ff9b::a00:1", False),  # NAT64 of 10.0.0.1
    ("64:ff9b::a9fe:a9fe", False),  # NAT64 of 169.254.169.254
    ("64:ff9b::5db8:d822", True),  # NAT64 of 93.184.216.34
    ("64:ff9b:1::7f00:1", False),  # NAT64 local-use prefix: never public
    ("64:ff9b:1:2:3::5db8:d822", False),
    ("2002:7f00:1::1", False),  # 6to4 of 127.0.0.1
    ("2002:5db8:d822::1", True),  # 6to4 of 93.184.216.34
    ("2001:0:4136:e378:8000:63bf:3fff:fdd2", False),  # Teredo
]


@pytest.mark.parametrize(("address", "public"), ADDRESSES)
def test_is_public_address(address, public):
    assert is_public_address(address) is public


@pytest.mark.parametrize(("address", "public"), ADDRESSES)
def test_public_https_judges_every_address_form(address, public):
    resolve = _resolving_to(address)
    if public:
        public_https("https://innocent.example/api", resolve=resolve)
    else:
        with pytest.raises(UnsafeAddress, match="public addresses only"):
            public_https("https://innocent.example/api", resolve=resolve)


@pytest.mark.parametrize("host", ["[::127.0.0.1]", "[64:ff9b::7f00:1]", "[::ffff:127.0.0.1]"])
def test_public_https_refuses_ipv6_literals_of_loopback(host):
    with pytest.raises(UnsafeAddress):
        public_https(f"https://{host}/api")


def test_public_https_allows_public_names():
    public_https("https://mastodon.example/api/v1", resolve=_resolving_to("93.184.216.34"))


def test_redirects_are_checked_hop_by_hop(httpserver):
    """A server that may be fetched cannot bounce the client to one that may not."""
    httpserver.expect_request("/start").respond_with_data(
        "", status=302, headers={"Location": "http://127.0.0.2:9/secret"}
    )
    httpserver.expect_request("/here").respond_with_data(
        "", status=301, headers={"Location": "/ping"}
    )
    httpserver.expect_request("/ping").respond_with_json({"ok": True})
    base = httpserver.url_for("/").rstrip("/")
    client = HttpClient(public_url="http://genuine.test", allow_url=same_origin(base))
    assert client.json(client.get(httpserver.url_for("/here"))) == {"ok": True}
    with pytest.raises(UnsafeAddress, match=r"127\.0\.0\.2"):
        client.get(httpserver.url_for("/start"))


def test_response_bodies_are_bounded(httpserver):
    httpserver.expect_request("/big").respond_with_data("x" * 5000)
    client = HttpClient(public_url="http://genuine.test", max_bytes=4096)
    with pytest.raises(SourceError, match="more than 4,096 bytes"):
        client.get(httpserver.url_for("/big"))
    httpserver.expect_request("/small").respond_with_data("[1]")
    assert client.json(client.get(httpserver.url_for("/small"))) == [1]
