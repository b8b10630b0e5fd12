"""The whole directory path in real Chromium: sign up, submit, two reviewers approve, and the
profile appears in /api/v1/consultants. Hostile text typed into the form stays inert.

Skips when Chromium or Playwright is missing; fails instead when GENUINE_REQUIRE_BROWSER is set.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from genuine.db import get_db
from genuine.directory import ownership
from tests.cards import make_card
from tests.conftest import skip_or_fail
from tests.directory.helpers import PASSWORD, XSS, user
from tests.extension.harness import CHROMIUM, CHROMIUM_ARGS, ApiServer, make_app


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    app = make_app(tmp_path_factory.mktemp("directory"), [make_card("x", "janedoe")])
    user(app, "rita@example.org", "reviewer", name="Rita")
    user(app, "ravi@example.org", "reviewer", name="Ravi")
    running = ApiServer(app).start()
    running.app = app
    yield running
    running.stop()
    get_db(app).engine.dispose()


@pytest.fixture(scope="module")
def page():
    if not Path(CHROMIUM).exists():
        skip_or_fail(f"Chromium not found at {CHROMIUM}", "GENUINE_REQUIRE_BROWSER")
    if importlib.util.find_spec("playwright") is None:
        skip_or_fail("Playwright for Python is not installed", "GENUINE_REQUIRE_BROWSER")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=False, args=CHROMIUM_ARGS
        )
        context = browser.new_context()
        context.set_default_timeout(10_000)
        # Nothing leaves loopback.
        context.route(
            "**/*",
            lambda route: (
                route.continue_()
                if route.request.url.startswith("http://127.0.0.1")
                else route.abort()
            ),
        )
        try:
            yield context.new_page()
        finally:
            browser.close()


def sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/signin")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(f"{base}/me")


def sign_out(page) -> None:
    page.click("button:has-text('Sign out')")


def assert_inert(page) -> None:
    assert page.evaluate("window.__xss") is None, page.url


def test_sign_up_submit_two_approvals_published(server, page):
    base = server.url
    page.goto(f"{base}/signup")
    page.fill("#name", "Jane Doe")
    page.fill("#email", "jane@example.org")
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD)
    page.click("button:has-text('Sign up')")
    page.wait_for_url(f"{base}/me/profile")

    page.fill("#headline", XSS)
    page.fill("#bio", "I help **small shops**. " + XSS)
    page.fill("#services", "community management")
    page.fill("#regions", "EU")
    page.fill("#languages", "en")
    page.select_option("#accounts-0-platform", "x")
    page.fill("#accounts-0-handle", "@JaneDoe")
    page.fill("#case_studies-0-title", "A bakery")
    page.fill("#case_studies-0-summary", "Replies doubled in a year.")
    page.click("button:has-text('Save draft')")
    assert page.locator(".flash").inner_text().startswith("Draft saved")
    assert page.input_value("#headline") == XSS  # typed text comes back as typed
    page.check("#no_bought_engagement")
    page.check("#discloses_partnerships")
    page.click("button:has-text('Save and submit for review')")
    page.wait_for_url(f"{base}/me")
    assert page.get_attribute("#status", "data-status") == "under_review"
    assert "Low risk" in page.inner_text(".evidence")
    assert page.inner_text(".bio strong") == "small shops"
    assert_inert(page)
    # Jane puts the code shown on her page in @janedoe's bio; an audit reads the bio.
    code = page.inner_text(".ownership li code")
    assert code.startswith("genuine-verify-")
    assert page.get_attribute(".ownership li", "data-ownership") == "unverifiable"
    secret = server.app.config["SECRET_KEY"]
    engine = get_db(server.app).engine
    assert ownership.check_fetched(engine, secret, "x", "janedoe", f"Shops. {code}")
    page.reload()
    assert page.get_attribute(".ownership li", "data-ownership") == "verified"
    sign_out(page)

    for reviewer in ("rita@example.org", "ravi@example.org"):
        sign_in(page, base, reviewer)
        page.goto(f"{base}/review")
        page.click("a:has-text('Jane Doe')")
        assert_inert(page)
        for criterion in ("authentic_audience", "real_conversation", "evidence_of_work"):
            page.check(f"input[name='score_{criterion}'][value='4']")
        page.check("input[name='score_transparency'][value='5']")
        page.check("input[name='verdict'][value='approve']")
        page.fill("#comment", "Real replies, real clients.")
        page.click("button:has-text('Record my review')")
        page.wait_for_url(f"{base}/review")
        sign_out(page)

    page.goto(f"{base}/api/v1/consultants")
    body = json.loads(page.inner_text("body"))
    (jane,) = body["consultants"]
    assert jane["name"] == "Jane Doe" and jane["headline"] == XSS
    assert jane["accounts"][0]["handle"] == "janedoe" and jane["review"]["reviewers"] == 2
    assert jane["accounts"][0]["ownership"]["status"] == "verified"

    sign_in(page, base, "jane@example.org")
    assert page.get_attribute("#status", "data-status") == "published"
    assert page.locator(".review").count() == 2
    assert_inert(page)
