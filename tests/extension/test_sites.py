"""Every site adapter against its saved pages in real Chromium, with the real API behind it."""

from __future__ import annotations

import json

import pytest

from tests.extension.harness import hosts, open_page, settled, wait_until

# site: (profile URL, timeline URL, profile account, {timeline account: expected state})
SITES = {
    "x": (
        "https://x.com/AmazonHelp",
        "https://x.com/home",
        "x:amazonhelp",
        {
            "x:amazonhelp": "found",
            "x:evil": "found",
            "x:ringleader": "found",
            "x:nobody_here": "not_found",
        },
    ),
    "bluesky": (
        "https://bsky.app/profile/alice.bsky.social",
        "https://bsky.app/",
        "bluesky:alice.bsky.social",
        {
            "bluesky:alice.bsky.social": "found",
            "bluesky:bob.bsky.social": "found",
            "bluesky:carol.example.com": "not_found",
        },
    ),
    "mastodon": (
        "https://mastodon.social/@Gargron",
        "https://mastodon.social/home",
        "mastodon:gargron@mastodon.social",
        {
            "mastodon:gargron@mastodon.social": "found",
            "mastodon:alice@mastodon.social": "found",
            "mastodon:bob@fosstodon.org": "not_found",
        },
    ),
    "instagram": (
        "https://www.instagram.com/natgeo/",
        "https://www.instagram.com/",
        "instagram:natgeo",
        {
            "instagram:natgeo": "found",
            "instagram:fake.growth.guru": "found",
            "instagram:travel.lover": "not_found",
        },
    ),
}
# Badges expected on each timeline page: X has 4 posts and a quoted post (its own author line);
# Instagram badges every account link with the username as text (post header, caption, comment).
TIMELINE_BADGES = {"x": 5, "bluesky": 3, "mastodon": 3, "instagram": 6}


@pytest.mark.parametrize("site", SITES)
def test_profile_header_gets_the_full_badge_set(ext, site):
    url, _, account, _ = SITES[site]
    page = open_page(ext, url, f"{site}-profile.html")
    found = wait_until(page, lambda: settled(page), what="badges")
    full = [h for h in found if h["kind"] == "full"]
    assert len(full) == 1, found
    assert full[0]["account"] == account
    assert full[0]["state"] == "found"
    card_levels = full[0]["levels"].split(",")
    assert len(card_levels) == 3
    assert "Bought followers:" in full[0]["text"]
    assert "Replies: " in full[0]["text"]
    assert "Follow-back ring:" in full[0]["text"]


def test_x_profile_texts_and_levels(ext):
    page = open_page(ext, "https://x.com/AmazonHelp", "x-profile.html")
    found = wait_until(page, lambda: settled(page), what="badges")
    by_kind = {(h["kind"], h["account"]): h for h in found}
    full = by_kind[("full", "x:amazonhelp")]
    assert full["levels"] == "low,responsive,not_member"
    assert "✓Bought followers: low · 7%" in full["text"]
    assert "Replies: responsive · 93% answered" in full["text"]
    assert "Follow-back ring: none found" in full["text"]
    assert full["theme"] == "light"
    # The post on the profile and the "Who to follow" cell get compact badges.
    assert by_kind[("compact", "x:amazonhelp")]["text"] == "✓no flags"
    ring = by_kind[("compact", "x:ringleader")]
    assert ring["levels"] == "medium,mixed,member"
    assert ring["text"] == "✕follow-back ring"


@pytest.mark.parametrize("site", SITES)
def test_timeline_posts_get_one_compact_badge_each(ext, site):
    _, url, _, expected = SITES[site]
    page = open_page(ext, url, f"{site}-timeline.html")
    found = wait_until(
        page,
        lambda: (h := settled(page)) and {x["account"] for x in h} >= set(expected) and h,
        what="badges for every account",
    )
    assert {h["account"] for h in found} == set(expected)
    for h in found:
        assert h["kind"] == "compact"
        assert h["state"] == expected[h["account"]], h
    assert len(found) == TIMELINE_BADGES[site]
    # Never the same element twice: the page's own nodes carry at most one badge each.
    dupes = page.evaluate(
        """() => { const seen = new Map();
            for (const h of document.querySelectorAll('[data-genuine-account]')) {
                const k = (h.previousElementSibling || h.parentElement);
                seen.set(k, (seen.get(k) || 0) + 1); }
            return [...seen.values()].filter(n => n > 1).length; }"""
    )
    assert dupes == 0


def test_dark_pages_get_dark_badges(ext):
    page = open_page(ext, "https://x.com/home", "x-timeline.html")
    found = wait_until(page, lambda: settled(page), what="badges")
    assert {h["theme"] for h in found} == {"dark"}


def _clone_posts(page, selector, replacements):
    """Imitate infinite scroll: clone the first post once per (old, new) handle pair."""
    page.evaluate(
        """([selector, pairs]) => {
            const first = document.querySelector(selector);
            for (const [old, neu] of pairs) {
                const copy = first.cloneNode(true);
                copy.querySelectorAll('[data-genuine-account]').forEach(h => h.remove());
                const walk = document.createTreeWalker(copy, NodeFilter.SHOW_TEXT);
                for (let n = walk.nextNode(); n; n = walk.nextNode())
                    n.nodeValue = n.nodeValue.split(old).join(neu);
                for (const el of [copy, ...copy.querySelectorAll('*')])
                    for (const a of [...el.attributes])
                        if (a.value.includes(old))
                            el.setAttribute(a.name, a.value.split(old).join(neu));
                first.parentElement.append(copy);
            }
        }""",
        [selector, replacements],
    )


def test_infinite_scroll_annotates_new_posts_without_duplicates(ext, api):
    page = open_page(ext, "https://x.com/home", "x-timeline.html")
    wait_until(page, lambda: (h := settled(page)) and len(h) == 5, what="first badges")
    _clone_posts(
        page,
        '[data-testid="cellInnerDiv"]',
        [("AmazonHelp", "jack"), ("AmazonHelp", "someone_new")],
    )
    found = wait_until(page, lambda: (h := settled(page)) and len(h) == 7 and h, what="new badges")
    states = {h["account"]: h["state"] for h in found}
    assert states["x:jack"] == "found"
    assert states["x:someone_new"] == "not_found"
    # A second round of scanning (more mutations) adds nothing twice.
    page.evaluate("document.body.append(document.createElement('div'))")
    page.wait_for_timeout(300)
    assert len(hosts(page)) == 7


def test_spa_navigation_to_another_profile(ext):
    page = open_page(ext, "https://x.com/AmazonHelp", "x-profile.html")
    wait_until(
        page,
        lambda: any(h["kind"] == "full" and h["state"] == "found" for h in hosts(page)),
        what="profile badge",
    )
    # X keeps the header element and swaps its text when you open another profile.
    page.evaluate(
        """() => { history.pushState({}, '', '/jack');
            const header = document.querySelector('[data-testid="UserName"]');
            const walk = document.createTreeWalker(header, NodeFilter.SHOW_TEXT);
            for (let n = walk.nextNode(); n; n = walk.nextNode()) {
                if (n.nodeValue === '@AmazonHelp') n.nodeValue = '@jack';
                if (n.nodeValue === 'Amazon Help') n.nodeValue = 'jack';
            } }"""
    )
    full = wait_until(
        page,
        lambda: [
            h
            for h in hosts(page)
            if h["kind"] == "full" and h["account"] == "x:jack" and h["state"] == "found"
        ],
        what="badge for the new profile",
    )
    all_full = [h for h in hosts(page) if h["kind"] == "full"]
    assert len(full) == 1 and len(all_full) == 1, all_full


def test_mastodon_in_app_navigation_to_another_profile(ext):
    """Mastodon's web app keeps the header and swaps its text on in-app navigation (and does
    not update meta[property="profile:username"]): the badge follows the header."""
    page = open_page(ext, "https://mastodon.social/@Gargron", "mastodon-profile.html")
    wait_until(
        page,
        lambda: any(h["kind"] == "full" and h["state"] == "found" for h in hosts(page)),
        what="profile badge",
    )
    page.evaluate(
        """() => { history.pushState({}, '', '/@alice');
            const header = document.querySelector('.account__header__tabs__name');
            const walk = document.createTreeWalker(header, NodeFilter.SHOW_TEXT);
            for (let n = walk.nextNode(); n; n = walk.nextNode()) {
                if (n.nodeValue === '@Gargron@mastodon.social') n.nodeValue = '@alice';
                if (n.nodeValue === 'Eugen Rochko') n.nodeValue = 'Alice';
            } }"""
    )
    full = wait_until(
        page,
        lambda: [
            h
            for h in hosts(page)
            if h["kind"] == "full"
            and h["account"] == "mastodon:alice@mastodon.social"
            and h["state"] == "found"
        ],
        what="badge for the new profile",
    )
    all_full = [h for h in hosts(page) if h["kind"] == "full"]
    assert len(full) == 1 and len(all_full) == 1, all_full


def test_popover_shows_reasons_as_text(ext):
    page = open_page(ext, "https://x.com/home", "x-timeline.html")
    wait_until(page, lambda: settled(page), what="badges")
    page.locator('[data-genuine-account="x:evil"] button').click()
    card = page.locator("[data-genuine-popover] .card")
    card.wait_for()
    text = card.inner_text()
    assert "Bought followers" in text and "high" in text
    assert "61%" in text and "interval 58%–65%" in text
    assert "Sample: 2000 followers" in text
    assert "Computed Mon, 23 Nov 2026" in text
    # The reason arrives with markup in it: it must show as text, never become elements.
    assert '<img src=x onerror="window.__xss=1"> bought <b>followers</b>' in text
    assert (
        page.locator("[data-genuine-popover] .reasons img, [data-genuine-popover] b").count() == 0
    )
    assert page.evaluate("window.__xss") is None
    report = page.locator("[data-genuine-popover] a.report")
    assert report.get_attribute("href") == "http://127.0.0.1:5000/report/x/evil"
    page.keyboard.press("Escape")
    assert page.locator("[data-genuine-popover]").count() == 0


def test_unknown_account_offers_an_audit_only_with_a_key(ext, api):
    page = open_page(ext, "https://x.com/home", "x-timeline.html")
    wait_until(page, lambda: settled(page), what="badges")
    page.locator('[data-genuine-account="x:nobody_here"] button').click()
    card = page.locator("[data-genuine-popover] .card")
    assert "no card for @nobody_here" in card.inner_text()
    assert "add an API key" in card.inner_text()
    assert page.locator("[data-genuine-popover] button.audit").count() == 0
    page.close()

    ext.set_settings(apiKey="gen_test_key")
    page = open_page(ext, "https://x.com/home", "x-timeline.html")
    wait_until(page, lambda: settled(page), what="badges")
    page.locator('[data-genuine-account="x:nobody_here"] button').click()
    page.locator("[data-genuine-popover] button.audit").click()
    status = page.locator("[data-genuine-popover] .status")
    wait_until(page, lambda: status.inner_text() not in ("", "Sending…"), what="audit answer")
    audits = [r for r in api.recorder.api_requests() if r.path == "/api/v1/audits"]
    assert len(audits) == 1
    assert audits[0].method == "POST"
    assert audits[0].api_key == "gen_test_key"
    assert json.loads(audits[0].body) == {"account": {"platform": "x", "handle": "nobody_here"}}


def test_site_switch_turns_a_site_off(ext):
    ext.set_settings(sites={"x": False, "bluesky": True, "mastodon": True, "instagram": True})
    page = open_page(ext, "https://x.com/home", "x-timeline.html")
    page.wait_for_timeout(600)
    assert hosts(page) == []
    ext.set_settings(sites={"x": True, "bluesky": True, "mastodon": True, "instagram": True})
    wait_until(page, lambda: settled(page), what="badges after switching the site back on")


def test_badge_choice_limits_what_is_shown(ext):
    ext.set_settings(
        badges={"follower_purchase_risk": True, "reply_rate": False, "follow_back_ring": False}
    )
    page = open_page(ext, "https://x.com/AmazonHelp", "x-profile.html")
    found = wait_until(page, lambda: settled(page), what="badges")
    full = next(h for h in found if h["kind"] == "full")
    assert full["levels"] == "low"
    assert "Replies" not in full["text"]
