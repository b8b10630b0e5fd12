"""Harness shared by the extension tests and bench/extension.py.

- The REAL Genuine app (create_app + migrations + cards written with genuine.cards.store) served
  on loopback by werkzeug in a thread, behind a WSGI recorder that keeps every request the
  server received (to prove what private mode sends) and can answer the next requests with an
  injected status (429 with Retry-After, 503) or be stopped and restarted on the same port.
- Debian's Chromium driven by Playwright with the unpacked extension in a persistent context;
  requests to the real sites' addresses are answered from the saved pages in pages/, requests
  to loopback go through, everything else is aborted (nothing reaches the internet).
"""

from __future__ import annotations

import io
import json
import os
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from werkzeug.serving import WSGIRequestHandler, make_server

REPO = Path(__file__).resolve().parents[2]
EXTENSION = REPO / "extension"
PAGES = Path(__file__).resolve().parent / "pages"
CHROMIUM = os.environ.get("GENUINE_CHROMIUM", "/usr/bin/chromium")
SITE_HOSTS = {
    "x.com",
    "twitter.com",
    "mobile.twitter.com",
    "bsky.app",
    "mastodon.social",
    "www.instagram.com",
    "instagram.com",
}
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


TIMELINE_POST = '    <div data-testid="cellInnerDiv"'


def timeline(handles: list[str]) -> str:
    """The saved X timeline with its first post repeated once per handle (busy-page tests)."""
    page = (PAGES / "x-timeline.html").read_text("utf-8")
    head, first, *rest = page.split(TIMELINE_POST)
    post = TIMELINE_POST + first
    tail = rest[-1][rest[-1].index("     </div>\n    </section>") :]
    posts = [
        post.replace("AmazonHelp", h).replace("Amazon Help", f"User {i}")
        for i, h in enumerate(handles)
    ]
    return head + "".join(posts) + tail


def make_app(folder: Path, cards: list[dict[str, Any]], **config: Any):
    """The real app on a fresh SQLite file, migrated, with `cards` in the badgecard table."""
    from genuine import create_app
    from genuine.cards.store import save_cards
    from genuine.db import get_db, upgrade

    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{folder / 'genuine.sqlite'}",
            "INSTANCE_PATH": str(folder / "instance"),
            "SECRET_KEY": "test",
            "RATE_LIMIT_READ": "100000 per minute",
            **config,
        }
    )
    with app.app_context():
        upgrade(app)
    with get_db(app).engine.begin() as conn:
        save_cards(conn, cards)
    return app


@dataclass
class Received:
    method: str
    path: str
    query: str
    body: bytes
    api_key: str | None
    at: float = 0.0
    status: int = 0
    response_bytes: int = 0
    request_bytes: int = 0


@dataclass
class Recorder:
    """WSGI middleware: records requests, and can answer the next ones with a given status."""

    app: Any
    received: list[Received] = field(default_factory=list)
    faults: deque = field(default_factory=deque)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail_next(self, count: int, status: int, retry_after: int | None = None) -> None:
        for _ in range(count):
            self.faults.append((status, retry_after))

    def clear(self) -> None:
        with self.lock:
            self.received.clear()
            self.faults.clear()

    def api_requests(self) -> list[Received]:
        with self.lock:
            return [r for r in self.received if r.path.startswith("/api/")]

    def __call__(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        headers_size = sum(
            len(k) + len(str(v)) + 4 for k, v in environ.items() if k.startswith("HTTP_")
        )
        rec = Received(
            environ["REQUEST_METHOD"],
            environ.get("PATH_INFO", ""),
            environ.get("QUERY_STRING", ""),
            body,
            environ.get("HTTP_X_API_KEY"),
            at=time.monotonic(),
            request_bytes=len(environ.get("PATH_INFO", "")) + headers_size + len(body) + 16,
        )
        with self.lock:
            self.received.append(rec)
            fault = self.faults.popleft() if self.faults else None
        if fault:
            status, retry_after = fault
            payload = json.dumps(
                {"type": "about:blank", "title": "injected", "status": status, "detail": "test"}
            ).encode()
            headers = [("Content-Type", "application/problem+json")]
            if retry_after is not None:
                headers.append(("Retry-After", str(retry_after)))
            start_response(f"{status} Injected", headers)
            rec.status = status
            rec.response_bytes = len(payload)
            return [payload]

        def recording_start(status, headers, exc_info=None):
            rec.status = int(status.split()[0])
            rec.response_bytes += sum(len(k) + len(v) + 4 for k, v in headers) + len(status)
            return start_response(status, headers, exc_info)

        result = self.app(environ, recording_start)
        chunks = list(result)
        if hasattr(result, "close"):
            result.close()
        rec.response_bytes += sum(len(c) for c in chunks)
        return chunks


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:
        pass


class ApiServer:
    """The app on 127.0.0.1 in a thread; stop() and start() keep the same port."""

    def __init__(self, app: Any) -> None:
        self.recorder = Recorder(app)
        self.port = 0
        self._server = None
        self._thread = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ApiServer:
        self._server = make_server(
            "127.0.0.1", self.port, self.recorder, threaded=True, request_handler=_Quiet
        )
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(5)
            self._server = None


HOSTS_JS = """els => els.map(e => ({
    account: e.dataset.genuineAccount, levels: e.dataset.genuineLevels,
    kind: e.dataset.genuineKind, state: e.dataset.genuineState, theme: e.dataset.theme,
    text: e.shadowRoot.querySelector('button').textContent}))"""


def hosts(page: Any) -> list[dict[str, str]]:
    """Every badge host on the page, with its data attributes and visible text."""
    return page.eval_on_selector_all("[data-genuine-account]", HOSTS_JS)


def settled(page: Any) -> list[dict[str, str]] | None:
    """All badges answered (none loading), returned; None while any is still loading."""
    found = hosts(page)
    return found if found and all(h["state"] != "loading" for h in found) else None


def open_page(ext: ExtensionBrowser, url: str, name: str) -> Any:
    """Serve pages/<name> at `url` and open it in a new tab."""
    ext.serve(url, name)
    page = ext.context.new_page()
    page.goto(url)
    return page


class ExtensionBrowser:
    """Chromium with the unpacked extension; site pages come from pages/ (or from `serve`)."""

    def __init__(self, playwright: Any, user_data_dir: Path) -> None:
        self.pages: dict[str, str] = {}
        self.context = playwright.chromium.launch_persistent_context(
            str(user_data_dir),
            executable_path=CHROMIUM,
            headless=False,  # the new headless mode (below) runs extensions; the old one does not
            args=[
                *CHROMIUM_ARGS,
                f"--disable-extensions-except={EXTENSION}",
                f"--load-extension={EXTENSION}",
            ],
        )
        self.context.set_default_timeout(10_000)
        self.aborted: list[str] = []
        self.context.route("**/*", self._route)
        workers = self.context.service_workers
        worker = workers[0] if workers else self.context.wait_for_event("serviceworker")
        self.extension_id = urlsplit(worker.url).hostname
        self.control = self.context.new_page()
        self.control.goto(self.extension_url("options/options.html"))

    def extension_url(self, path: str) -> str:
        return f"chrome-extension://{self.extension_id}/{path}"

    def serve(self, url: str, page: str) -> None:
        """Answer `url` (no query) with pages/<page> (a file name) or with HTML text."""
        html = page if page.lstrip().startswith("<") else (PAGES / page).read_text("utf-8")
        self.pages[url.split("?")[0].split("#")[0]] = html

    def _route(self, route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.scheme == "chrome-extension":
            route.continue_()
        elif host in SITE_HOSTS:
            html = self.pages.get(url.split("?")[0].split("#")[0])
            if html is None:
                route.fulfill(status=404, content_type="text/html", body="<!doctype html>")
            else:
                route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)
        elif host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            self.aborted.append(url)
            route.abort()

    def storage(self, script: str, arg: Any = None) -> Any:
        """Run `async (arg) => ...` in an extension page (chrome.* APIs available)."""
        return self.control.evaluate(script, arg)

    def reset(self, server_url: str, **settings: Any) -> None:
        """Forget everything (cache, backoff, settings) and point the extension at the server."""
        self.storage(
            """async (s) => { await chrome.storage.local.clear();
                              await chrome.storage.local.set({settings: s}); }""",
            {"server": server_url, **settings},
        )

    def set_settings(self, **patch: Any) -> None:
        self.storage(
            """async (p) => {
                const got = await chrome.storage.local.get("settings");
                await chrome.storage.local.set({settings: {...got.settings, ...p}}); }""",
            patch,
        )

    def tab_id(self, site: str) -> int:
        """The tab whose content script runs the `site` adapter (tab URLs need "tabs")."""
        return self.storage(
            """async (site) => {
                for (const tab of await chrome.tabs.query({})) {
                    try {
                        const s = await chrome.tabs.sendMessage(tab.id, {type: "stats"});
                        if (s && s.site === site) return tab.id;
                    } catch (e) { /* no content script in that tab */ }
                }
                return null; }""",
            site,
        )

    def close(self) -> None:
        self.context.close()


def wait_until(page: Any, predicate, timeout: float = 10.0, what: str = "condition") -> Any:
    """Poll `predicate` until it returns something truthy; fail with a clear message.

    Waits with page.wait_for_timeout, not time.sleep: Playwright's sync API only runs the
    route handlers (which pass the extension's requests to the server) inside its own calls.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not met within {timeout} s")
        page.wait_for_timeout(50)
