"""Fixtures for the extension tests: one real API server and one Chromium per module.

Browser tests skip with a reason when Chromium or Playwright is missing, and fail instead when
GENUINE_REQUIRE_BROWSER is set (CI).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from tests.cards import make_card
from tests.conftest import skip_or_fail
from tests.extension.harness import CHROMIUM, ApiServer, ExtensionBrowser, make_app

# The accounts the saved pages show, and what the server knows about them.
CARDS = [
    make_card("x", "amazonhelp"),
    make_card(
        "x",
        "evil",
        risk="high",
        score=0.61,
        reasons=['<img src=x onerror="window.__xss=1"> bought <b>followers</b>'],
    ),
    make_card("x", "ringleader", risk="medium", score=0.23, reply="mixed", ring="member"),
    make_card("x", "jack"),
    make_card("bluesky", "alice.bsky.social", risk="high", score=0.58),
    make_card("bluesky", "bob.bsky.social"),
    make_card("mastodon", "gargron@mastodon.social"),
    make_card("mastodon", "alice@mastodon.social", risk="unknown", reply="unknown", ring="unknown"),
    make_card("instagram", "natgeo"),
    make_card("instagram", "fake.growth.guru", risk="high", score=0.74),
]
# On the saved pages but deliberately without a card.
UNKNOWN = [
    "x:nobody_here",
    "bluesky:carol.example.com",
    "mastodon:bob@fosstodon.org",
    "instagram:travel.lover",
]


@pytest.fixture(scope="session")
def browser_available() -> None:
    if not Path(CHROMIUM).exists():
        skip_or_fail(
            f"Chromium not found at {CHROMIUM} (apt-get install chromium)",
            "GENUINE_REQUIRE_BROWSER",
        )
    if importlib.util.find_spec("playwright") is None:
        skip_or_fail(
            "Playwright for Python is not installed (pip install playwright)",
            "GENUINE_REQUIRE_BROWSER",
        )


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    app = make_app(tmp_path_factory.mktemp("api"), CARDS)
    server = ApiServer(app).start()
    yield server
    server.stop()
    from genuine.db import get_db

    get_db(app).engine.dispose()


@pytest.fixture(scope="module")
def browser(browser_available, tmp_path_factory):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        b = ExtensionBrowser(playwright, tmp_path_factory.mktemp("profile"))
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def ext(browser, api):
    """The browser with a clean extension state pointed at the API; pages closed afterwards."""
    api.recorder.clear()
    browser.reset(api.url)
    yield browser
    for page in browser.context.pages:
        if page is not browser.control:
            page.close()
