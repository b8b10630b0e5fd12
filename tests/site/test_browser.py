"""The built site in real Chromium: the directory and a consultant page load with no
console errors and no request leaving loopback, and the filter narrows the list.

Serves the built site with http.server on loopback; skips (or fails under
GENUINE_REQUIRE_BROWSER) when Chromium or Playwright is absent. Screenshots go to the
test's tmp dir, and also to $GENUINE_SITE_SCREENSHOTS when set, for a person to look at.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import skip_or_fail
from tests.extension.harness import CHROMIUM, CHROMIUM_ARGS
from tests.site.fixtures import directory, hostile
from tests.site.helpers import build


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        skip_or_fail(f"Chromium not found at {CHROMIUM}", "GENUINE_REQUIRE_BROWSER")
    if importlib.util.find_spec("playwright") is None:
        skip_or_fail("Playwright for Python is not installed", "GENUINE_REQUIRE_BROWSER")
    tmp = tmp_path_factory.mktemp("browser")
    data = directory(12)
    data["consultants"].append(hostile(3))
    result = build(tmp, data)
    assert result.returncode == 0, result.stderr
    handler = functools.partial(_Quiet, directory=str(tmp / "out"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", tmp
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def page_factory(served):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _open(browser, url: str):
    """A page that records console errors, page errors and any request leaving loopback."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))

    def route(r):
        if urlsplit(r.request.url).hostname == "127.0.0.1":
            return r.continue_()
        problems.append(f"remote request: {r.request.url}")
        return r.abort()

    page.route("**/*", route)
    page.goto(url, wait_until="load")
    return page, problems


def _shot(page, tmp: Path, name: str) -> None:
    path = tmp / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    target = os.environ.get("GENUINE_SITE_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(target) / path.name)


def test_directory_filters(served, page_factory):
    base, tmp = served
    page, problems = _open(page_factory, f"{base}/directory/")
    form = page.locator("#genuine-filter")
    assert form.is_visible()
    entries = page.locator("li.genuine-entry")
    assert entries.count() == 13
    assert page.locator("li.genuine-entry:visible").count() == 13
    page.select_option("select[data-facet=regions]", "UK")
    visible = page.locator("li.genuine-entry:visible")
    assert 0 < visible.count() < 13
    for i in range(visible.count()):
        assert "UK" in visible.nth(i).inner_text()
    assert page.locator("#genuine-count").inner_text() == f"{visible.count()} consultants"
    page.select_option("select[data-facet=services]", "training")
    page.select_option("select[data-facet=languages]", "ja")
    _shot(page, tmp, "directory-filtered")
    page.select_option("select[data-facet=regions]", "")
    page.select_option("select[data-facet=services]", "")
    page.select_option("select[data-facet=languages]", "")
    assert page.locator("li.genuine-entry:visible").count() == 13
    _shot(page, tmp, "directory")
    assert problems == []
    page.close()


def test_directory_without_javascript_is_a_plain_list(served, page_factory):
    base, _ = served
    context = page_factory.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{base}/directory/")
    assert not page.locator("#genuine-filter").is_visible()
    assert page.locator("li.genuine-entry:visible").count() == 13
    context.close()


def test_consultant_pages(served, page_factory):
    base, tmp = served
    page, problems = _open(page_factory, f"{base}/directory/consultant-0001/")
    assert page.locator("h1").first.inner_text() == "Consultant 0001"
    assert page.locator("svg.genuine-bar").count() >= 2
    _shot(page, tmp, "consultant")
    assert problems == []
    page.close()
    page, problems = _open(page_factory, f"{base}/directory/hostile/")
    assert page.locator("h1").first.inner_text().startswith('Eve <script>alert("x")')
    assert page.evaluate("document.querySelectorAll('.genuine-consultant img, iframe').length") == 0
    _shot(page, tmp, "hostile")
    assert problems == []
    page.close()
