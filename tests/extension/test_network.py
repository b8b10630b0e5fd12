"""What the extension sends to the real API, and how it behaves when the API fails."""

from __future__ import annotations

import hashlib
import json
import re

from tests.cards import make_card
from tests.extension.conftest import CARDS, UNKNOWN
from tests.extension.harness import (
    ApiServer,
    hosts,
    make_app,
    open_page,
    settled,
    timeline,
    wait_until,
)

PAGES = [
    ("https://x.com/home", "x-timeline.html"),
    ("https://bsky.app/profile/alice.bsky.social", "bluesky-profile.html"),
    ("https://mastodon.social/home", "mastodon-timeline.html"),
    ("https://www.instagram.com/", "instagram-timeline.html"),
]
HANDLES = [c["handle"] for c in CARDS] + [a.split(":", 1)[1] for a in UNKNOWN]


def sent_text(recorder) -> str:
    return "\n".join(
        f"{r.method} {r.path}?{r.query} {r.body.decode('utf-8', 'replace')}"
        for r in recorder.api_requests()
    ).lower()


def test_private_mode_sends_no_handle(ext, api):
    for url, name in PAGES:
        page = open_page(ext, url, name)
        found = wait_until(page, lambda p=page: settled(p), what=f"badges on {url}")
        assert any(h["state"] == "found" for h in found), found
    received = api.recorder.api_requests()
    meta = [r for r in received if r.path == "/api/v1/meta"]
    ranges = [r for r in received if r.path == "/api/v1/badges/ranges"]
    assert len(meta) == 1 and meta[0].method == "GET" and not meta[0].body
    assert len(meta) + len(ranges) == len(received), [r.path for r in received]
    for r in ranges:
        body = json.loads(r.body)
        assert r.method == "POST" and not r.query and set(body) == {"prefixes", "compact"}
        assert body["compact"] is True
        assert all(re.fullmatch(r"[0-9a-f]+", p) for p in body["prefixes"])
    # Opening a popover fetches the full bucket of that one prefix (reasons are not in the
    # compact entries), and that is still a prefix, not a handle.
    page.locator('[data-genuine-account="instagram:fake.growth.guru"] button').first.click()
    card = page.locator("[data-genuine-popover] .card")
    card.wait_for()
    assert "74% of a sample of 2000 followers look bought" in card.inner_text()
    key = hashlib.sha256(b"instagram:fake.growth.guru").hexdigest()
    after = api.recorder.api_requests()[len(received) :]
    assert [(r.method, r.path, r.query, r.body) for r in after] == [
        ("GET", f"/api/v1/badges/range/{key[:1]}", "", b"")
    ]
    text = sent_text(api.recorder)
    for handle in HANDLES:
        assert handle.lower() not in text
        assert handle.split("@")[0].split(".")[0].lower() not in text


def test_busy_timeline_in_private_mode_costs_two_range_requests(ext, tmp_path):
    # 200 handles over 256 two-digit buckets: ~140 distinct prefixes, more than one request's
    # worth (100); the worker's batching keeps it to 2. Half the handles have cards.
    handles = [f"tl_user_{i:03d}" for i in range(200)]
    world = [make_card("x", h) for h in handles[::2]]
    world += [make_card("x", f"world_{i:04d}") for i in range(300)]
    app = make_app(tmp_path, world, PRIVATE_BUCKET_SIZE=1)  # 400 cards: prefix length 2
    server = ApiServer(app).start()
    try:
        ext.reset(server.url)
        ext.serve("https://x.com/home", timeline(handles))
        page = ext.context.new_page()
        page.goto("https://x.com/home")
        shown = wait_until(
            page,
            lambda: (h := settled(page)) and len(h) == 200 and h,
            timeout=30,
            what="200 badges",
        )
        assert sum(h["state"] == "found" for h in shown) == 100
        assert all(h["state"] in ("found", "not_found") for h in shown)
        received = server.recorder.api_requests()
        ranges = [r for r in received if "/badges/range" in r.path]
        assert [r.path for r in received if r not in ranges] == ["/api/v1/meta"]
        assert 1 <= len(ranges) <= 2, [r.path for r in ranges]
        prefixes = [p for r in ranges for p in json.loads(r.body)["prefixes"]]
        assert all(len(p) == 2 for p in prefixes) and len(set(prefixes)) == len(prefixes)
        assert len(prefixes) > 100
        assert "tl_user" not in sent_text(server.recorder)

        # The popover fetches its account's full bucket (one GET) and shows the reasons.
        page.locator('[data-genuine-account="x:tl_user_000"] button').first.click()
        card = page.locator("[data-genuine-popover] .card")
        card.wait_for()
        text = card.inner_text()
        assert "7% of a sample of 2000 followers look bought" in text
        assert "interval 4%–11%" in text and "Computed Mon, 23 Nov 2026" in text
        key = hashlib.sha256(b"x:tl_user_000").hexdigest()
        after = server.recorder.api_requests()[len(received) :]
        assert [(r.method, r.path) for r in after] == [("GET", f"/api/v1/badges/range/{key[:2]}")]
        # Opened again: the full card is cached, nothing is sent.
        page.keyboard.press("Escape")
        page.locator('[data-genuine-account="x:tl_user_000"] button').first.click()
        card.wait_for()
        assert "look bought" in card.inner_text()
        assert len(server.recorder.api_requests()) == len(received) + 1
    finally:
        server.stop()
        from genuine.db import get_db

        get_db(app).engine.dispose()


def test_private_mode_finds_the_same_cards_as_plain_mode(ext, api):
    page = open_page(ext, "https://x.com/home", "x-timeline.html")
    private = sorted(
        (h["account"], h["levels"], h["text"])
        for h in wait_until(page, lambda: settled(page), what="private badges")
    )
    page.close()
    ext.reset(api.url, privateMode=False)
    page = open_page(ext, "https://x.com/home", "x-timeline.html")
    plain = sorted(
        (h["account"], h["levels"], h["text"])
        for h in wait_until(page, lambda: settled(page), what="plain badges")
    )
    assert private == plain


def test_plain_mode_batches_and_caches(ext, api):
    ext.reset(api.url, privateMode=False)
    page = open_page(ext, "https://x.com/home", "x-timeline.html")
    wait_until(page, lambda: settled(page), what="badges")
    received = api.recorder.api_requests()
    assert [(r.method, r.path) for r in received] == [("POST", "/api/v1/badges/lookup")]
    accounts = json.loads(received[0].body)["accounts"]
    assert sorted(a["handle"] for a in accounts) == [
        "amazonhelp",
        "evil",
        "nobody_here",
        "ringleader",
    ]
    # A second visit is answered from the cache in chrome.storage: nothing is sent.
    page.reload()
    wait_until(page, lambda: settled(page), what="badges after reload")
    assert len(api.recorder.api_requests()) == 1


def popup_text(ext, site: str):
    popup = ext.context.new_page()
    popup.goto(ext.extension_url(f"popup/popup.html?tab={ext.tab_id(site)}"))
    return popup


def test_popup_shows_what_the_page_shows(ext):
    page = open_page(ext, "https://x.com/home", "x-timeline.html")
    wait_until(page, lambda: settled(page), what="badges")
    popup = popup_text(ext, "x")
    popup.locator("#counts:not([hidden])").wait_for()
    assert popup.locator("#found").inner_text() == "4"
    assert popup.locator("#annotated").inner_text() == "3"
    assert popup.locator("#notFound").inner_text() == "1"
    assert popup.locator("#errors").inner_text() == "0"
    assert "Server OK" in popup.locator("#apiStatus").inner_text()
    assert "Private mode" in popup.locator("#mode").inner_text()


def test_rate_limit_shows_an_error_and_recovers_after_retry_after(ext, api):
    ext.reset(api.url, privateMode=False)
    api.recorder.fail_next(1, 429, retry_after=2)
    page = open_page(ext, "https://x.com/home", "x-timeline.html")
    errors = wait_until(
        page,
        lambda: (h := settled(page)) and all(x["state"] == "error" for x in h) and h,
        what="error badges",
    )
    assert all(h["text"] == "⚠Genuine unavailable" for h in errors)
    popup = popup_text(ext, "x")
    status = popup.locator('#apiStatus[data-state="rate_limited"]')
    status.wait_for()
    assert "rate limiting" in status.inner_text() and "Retrying in" in status.inner_text()
    assert popup.locator("#errors").inner_text() == "4"
    wait_until(
        page,
        lambda: (h := settled(page)) and all(x["state"] != "error" for x in h),
        timeout=8,
        what="recovery",
    )
    first, second = api.recorder.api_requests()[:2]
    assert first.status == 429 and second.status == 200
    assert second.at - first.at >= 1.9  # Retry-After honoured: nothing sent in between
    popup.locator('#apiStatus[data-state="ok"]').wait_for()


def test_server_down_shows_an_error_and_recovers(ext, api):
    api.stop()
    try:
        page = open_page(ext, "https://bsky.app/", "bluesky-timeline.html")
        wait_until(
            page,
            lambda: (h := settled(page)) and all(x["state"] == "error" for x in h),
            what="error badges",
        )
        popup = popup_text(ext, "bluesky")
        status = popup.locator('#apiStatus[data-state="unreachable"]')
        status.wait_for()
        assert "cannot be reached" in status.inner_text()
    finally:
        api.start()
    wait_until(
        page,
        lambda: (h := settled(page)) and all(x["state"] != "error" for x in h),
        timeout=12,
        what="recovery",
    )
    assert {h["account"]: h["state"] for h in hosts(page)}["bluesky:bob.bsky.social"] == "found"


def test_server_error_backs_off_and_recovers(ext, api):
    ext.reset(api.url, privateMode=False)
    api.recorder.fail_next(1, 503)
    page = open_page(ext, "https://mastodon.social/home", "mastodon-timeline.html")
    wait_until(
        page,
        lambda: (h := settled(page)) and all(x["state"] == "error" for x in h),
        what="error badges",
    )
    page.locator('[data-genuine-account="mastodon:gargron@mastodon.social"] button').click()
    assert "server error 503" in page.locator("[data-genuine-popover] .card").inner_text()
    wait_until(
        page,
        lambda: (h := settled(page)) and all(x["state"] != "error" for x in h),
        timeout=8,
        what="recovery",
    )
    statuses = [r.status for r in api.recorder.api_requests()]
    assert statuses[:2] == [503, 200]


def test_options_page_saves_settings(ext, api):
    page = ext.context.new_page()
    page.goto(ext.extension_url("options/options.html"))
    assert page.locator("#server").input_value() == api.url
    assert page.locator("#privateMode").is_checked()
    page.locator("#privateMode").uncheck()
    page.locator("#badges-reply_rate").uncheck()
    page.locator("#save").click()
    page.locator("#status", has_text="Saved.").wait_for()
    saved = ext.storage("async () => (await chrome.storage.local.get('settings')).settings")
    assert saved["privateMode"] is False
    assert saved["badges"]["reply_rate"] is False
    assert saved["server"] == api.url
    page.locator("#server").fill("ftp://example.org")
    page.locator("#save").click()
    page.locator("#status.error").wait_for()
    page.locator("#test").click()
    page.locator("#status", has_text="OK: model").wait_for()


def test_the_api_key_never_leaves_the_worker(ext, api):
    """apiState answers any of the extension's pages and content scripts: no key in it."""
    ext.set_settings(apiKey="gen_secret-key-for-the-test")
    answer = ext.storage("""async () => chrome.runtime.sendMessage({type: "apiState"})""")
    assert "gen_secret-key-for-the-test" not in str(answer)
    assert answer["settings"]["hasApiKey"] is True
    ext.set_settings(apiKey="")


def test_private_mode_refuses_a_server_asking_for_long_prefixes(ext, tmp_path):
    """A server announcing prefix_length 64 would receive whole sha256 keys, which a
    dictionary of handles reverses: the extension sends no prefix and says why."""
    app = make_app(tmp_path, [make_card("x", "tl_user_000")])
    inner = app.wsgi_app

    def greedy_meta(environ, start_response):
        if environ["PATH_INFO"] != "/api/v1/meta":
            return inner(environ, start_response)
        body = json.dumps({"prefix_length": 64, "model_version": "v"}).encode()
        start_response("200 OK", [("Content-Type", "application/json")])
        return [body]

    app.wsgi_app = greedy_meta
    server = ApiServer(app).start()
    try:
        ext.reset(server.url)
        ext.serve("https://x.com/home", timeline(["tl_user_000", "tl_user_001"]))
        page = ext.context.new_page()
        page.goto("https://x.com/home")
        shown = wait_until(
            page,
            lambda: (h := settled(page)) and all(x["state"] == "error" for x in h) and h,
            what="error badges",
        )
        assert len(shown) == 2
        paths = [r.path for r in server.recorder.api_requests()]
        assert paths and set(paths) == {"/api/v1/meta"}, paths
        popup = popup_text(ext, "x")
        status = popup.locator('#apiStatus[data-state="unsafe_prefix"]')
        status.wait_for()
        assert "Private mode refused this server" in status.inner_text()
        assert "at most 6" in status.inner_text()
    finally:
        server.stop()
        from genuine.db import get_db

        get_db(app).engine.dispose()
