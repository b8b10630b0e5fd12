"""Profile POST /api/v1/badges/lookup in-process (cProfile), for docs-notes/bench-lookup.md.

Fills a SQLite database with N cards the way bench/lookup.py does, then sends the same
50-account bodies through Flask's test client (no gunicorn, no sockets): wall time per
request with the rate limiter on and off, and the cProfile functions by cumulative time.

    .venv/bin/python bench/lookup_profile.py [--cards 10000] [--requests 2000] [--top 30]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import tempfile
import time
from pathlib import Path

from genuine import create_app
from lookup_data import READ_LIMIT, bodies, fill


def timed(client, payloads: list[bytes], count: int) -> float:
    """CPU microseconds (this process) per request, best of 3 passes of `count` requests."""
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        for i in range(count):
            response = client.post(
                "/api/v1/badges/lookup",
                data=payloads[i % len(payloads)],
                content_type="application/json",
            )
            assert response.status_code == 200, response.data[:200]
        best = min(best, (time.process_time() - started) / count * 1e6)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="genuine-bench-profile-") as name:
        instance = Path(name)
        url = f"sqlite:///{instance / 'genuine.sqlite'}"
        setup = fill(url, instance, args.cards)
        print(f"sqlite N={args.cards:,}: setup {setup:.1f} s")
        payloads = bodies(args.cards, 1000)
        config = {
            "DATABASE_URL": url,
            "INSTANCE_PATH": str(instance),
            "SECRET_KEY": "bench",
            "RATE_LIMIT_READ": READ_LIMIT,
        }
        app = create_app(config)
        client = app.test_client()
        on = timed(client, payloads, args.requests)
        off_app = create_app(config | {"RATELIMIT_ENABLED": False})
        off = timed(off_app.test_client(), payloads, args.requests)
        print(f"per request (50 accounts), CPU: limiter on {on:.0f} µs, off {off:.0f} µs")
        profile = cProfile.Profile()
        profile.enable()
        timed(client, payloads, args.requests // 3 or 1)
        profile.disable()
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out)
        stats.sort_stats("cumulative").print_stats(args.top)
        print(out.getvalue())


if __name__ == "__main__":
    main()
