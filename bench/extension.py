"""Benchmark the browser extension on an X timeline with 200 different handles.

Prints, for plain mode and private mode: API requests, bytes on the wire (both directions,
as the server saw them), main-thread time spent by the content script (performance.measure
entries "genuine:*" written by content/core.js, read in the page), and the time until every
badge is shown, and what opening one popover costs afterwards. Goals: <= 2 requests (plain),
< 50 ms main thread.

Runs the real Genuine app on loopback with a world of --cards cards (so private-mode buckets
have a realistic size) and Debian's Chromium (/usr/bin/chromium) with the unpacked extension.

    .venv/bin/python bench/extension.py [--handles 200] [--cards 20000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.cards import make_card  # noqa: E402
from tests.extension.harness import (  # noqa: E402
    CHROMIUM,
    ApiServer,
    ExtensionBrowser,
    hosts,
    make_app,
    timeline,
    wait_until,
)

MEASURES_JS = """() => performance.getEntriesByType('measure')
    .filter(m => m.name.startsWith('genuine:'))
    .reduce((a, m) => ({n: a.n + 1, ms: a.ms + m.duration, max: Math.max(a.max, m.duration)}),
            {n: 0, ms: 0, max: 0})"""


def run(browser: ExtensionBrowser, api: ApiServer, html: str, n: int, private: bool) -> dict:
    browser.reset(api.url, privateMode=private)
    api.recorder.clear()
    url = "https://x.com/home"
    browser.serve(url, html)
    page = browser.context.new_page()
    t0 = time.monotonic()
    page.goto(url)

    def done():
        found = hosts(page)
        return len(found) == n and all(h["state"] in ("found", "not_found") for h in found)

    wait_until(page, done, timeout=120, what=f"{n} badges")
    elapsed = time.monotonic() - t0
    measures = page.evaluate(MEASURES_JS)
    received = api.recorder.api_requests()
    shown = hosts(page)
    found = sum(1 for h in shown if h["state"] == "found")
    # Then open one popover: in private mode that fetches the account's full bucket.
    first = next(h["account"] for h in shown if h["state"] == "found")
    page.locator(f'[data-genuine-account="{first}"] button').first.click()
    page.locator("[data-genuine-popover] .card").wait_for()
    popover = api.recorder.api_requests()[len(received) :]
    page.close()
    return {
        "popover_requests": len(popover),
        "popover_bytes": sum(r.response_bytes for r in popover),
        "requests": len(received),
        "bytes_down": sum(r.response_bytes for r in received),
        "bytes_up": sum(r.request_bytes for r in received),
        "main_ms": measures["ms"],
        "main_max_ms": measures["max"],
        "tasks": measures["n"],
        "seconds": elapsed,
        "found": found,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--handles", type=int, default=200)
    parser.add_argument("--cards", type=int, default=20_000, help="cards in the server's world")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"Chromium not found at {CHROMIUM}", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    handles = [f"bench_user_{i:03d}" for i in range(args.handles)]
    # Half the timeline has cards; the rest of the world is other accounts.
    cards = [make_card("x", h) for h in handles[::2]]
    cards += [make_card("x", f"world_{i:06d}") for i in range(max(0, args.cards - len(cards)))]
    html = timeline(handles)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.monotonic()
        app = make_app(Path(tmp), cards)
        print(f"server: real Genuine app, {len(cards)} cards ({time.monotonic() - t0:.1f} s)")
        api = ApiServer(app).start()
        try:
            with sync_playwright() as playwright:
                browser = ExtensionBrowser(playwright, Path(tmp) / "profile")
                try:
                    results = {
                        "plain": run(browser, api, html, args.handles, private=False),
                        "private": run(browser, api, html, args.handles, private=True),
                    }
                finally:
                    browser.close()
        finally:
            api.stop()
    print(f"timeline: {args.handles} handles on https://x.com/home, {len(handles[::2])} with cards")
    print(
        f"{'mode':8} {'requests':>8} {'KiB down':>9} {'KiB up':>7} {'main ms':>8} "
        f"{'max task':>8} {'tasks':>5} {'shown s':>7} {'found':>5}"
    )
    for mode, r in results.items():
        print(
            f"{mode:8} {r['requests']:8d} {r['bytes_down'] / 1024:9.1f} "
            f"{r['bytes_up'] / 1024:7.1f} "
            f"{r['main_ms']:8.1f} {r['main_max_ms']:8.1f} {r['tasks']:5d} {r['seconds']:7.2f} "
            f"{r['found']:5d}"
        )
    plain = results["plain"]
    for mode, r in results.items():
        print(
            f"{mode:8} opening one popover: {r['popover_requests']} request(s), "
            f"{r['popover_bytes'] / 1024:.1f} KiB down"
        )
    print(
        f"goal plain requests <= 2: {'met' if plain['requests'] <= 2 else 'NOT met'}; "
        f"goal main thread < 50 ms: "
        f"{'met' if max(r['main_ms'] for r in results.values()) < 50 else 'NOT met'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
