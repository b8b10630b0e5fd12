"""Audit cost against a local fake platform that answers at once (no internet).

    .venv/bin/python bench/audit.py [--followers 2000] [--audits 24] [--workers 4]

1. One audit per platform with a FOLLOWERS-follower sample: HTTP requests made, and
   CPU seconds of this process (fetch + parse, then store + score + card). The fake
   server runs in a subprocess so its CPU is not counted.
2. Throughput: AUDITS audits of different Bluesky accounts queued on huey (SQLite),
   run by `genuine worker --workers WORKERS`: audits per minute, wall clock.

Goal: under 1 CPU second per audit. For comparison, Botometer's team reported about
1.4 s per account of their own processing on top of fetching the data.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "server")]

SERVER = """
import sys, logging
from werkzeug import Request
from werkzeug.serving import make_server
sys.path[:0] = {paths!r}
from tests.sources.fakes import FakeBluesky, FakeMastodon
logging.getLogger("werkzeug").setLevel(logging.ERROR)
followers, accounts = {followers}, {accounts}
mastodon = FakeMastodon(followers=followers, posts=40)
bluesky = {{}}
for k in range(accounts):
    fake = FakeBluesky(handle=f"user{{k}}.bsky.test", followers=followers, posts=40,
                       did=f"did:plc:user{{k:020d}}")
    bluesky[fake.handle] = bluesky[fake.did] = fake
def pick(request):
    actor = request.args.get("actor") or request.args.get("uri", "").removeprefix("at://").split("/")[0]
    return bluesky.get(actor) or bluesky["user0.bsky.test"]
def app(environ, start):
    request = Request(environ)
    fake = pick(request) if request.path.startswith("/xrpc/") else mastodon
    return fake(request)(environ, start)
server = make_server("127.0.0.1", 0, app, threaded=True)
print(server.port, flush=True)
server.serve_forever()
"""


def start_server(followers: int, accounts: int) -> tuple[subprocess.Popen, str]:
    code = SERVER.format(
        paths=[str(REPO), str(REPO / "server")], followers=followers, accounts=accounts
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    port = proc.stdout.readline().strip()
    return proc, f"http://127.0.0.1:{port}"


def make_app(tmp: Path, base: str):
    from genuine import create_app
    from genuine.db import upgrade

    settings = {
        "DATABASE_URL": f"sqlite:///{tmp / 'genuine.sqlite'}",
        "INSTANCE_PATH": str(tmp / "instance"),
        "SECRET_KEY": "bench",
        "MASTODON_BASE_URL": base,
        "BLUESKY_BASE_URL": base,
    }
    app = create_app(settings)
    with app.app_context():
        upgrade(app)
    return app, settings


def one_audit(app, platform: str, handle: str, followers: int) -> dict:
    from genuine.db import get_db
    from genuine.pipeline import audits
    from genuine.sources import open_source

    engine = get_db(app).engine
    made, _ = audits.request_audit(engine, platform, handle, followers=followers)
    timings = {}

    def factory(platform, config, handle):
        source = open_source(platform, config, handle)
        fetch = source.fetch

        def timed(*args, **kwargs):
            cpu, wall = time.process_time(), time.perf_counter()
            out = fetch(*args, **kwargs)
            timings["fetch_cpu"] = time.process_time() - cpu
            timings["fetch_wall"] = time.perf_counter() - wall
            return out

        source.fetch = timed
        return source

    cpu, wall = time.process_time(), time.perf_counter()
    done = audits.run_audit(engine, app.config, made["id"], source_factory=factory)
    timings["cpu"] = time.process_time() - cpu
    timings["wall"] = time.perf_counter() - wall
    assert done["status"] == "done", done["error"]
    return {**timings, "requests": done["requests"]}


def throughput(settings: dict, audits_n: int, workers: int, followers: int, kind: str) -> float:
    from genuine import create_app
    from genuine.pipeline import queue

    app = create_app(settings)
    with app.app_context():
        ids = [
            queue.request("bluesky", f"user{k}.bsky.test", followers=followers)[0]["id"]
            for k in range(audits_n)
        ]
    env = {**os.environ, **{f"GENUINE_{k}": str(v) for k, v in settings.items()}}
    started = time.perf_counter()
    worker = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from genuine.cli import main; main()",
            "worker",
            "--workers",
            str(workers),
            "--worker-type",
            kind,
        ],
        env={**env, "PYTHONPATH": str(REPO / "server")},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    from genuine.db import get_db
    from genuine.pipeline import audits

    engine = get_db(app).engine
    try:
        while True:
            states = [audits.get(engine, i)["status"] for i in ids]
            if all(s in ("done", "failed") for s in states):
                break
            time.sleep(0.2)
    finally:
        worker.terminate()
        worker.wait(30)
    seconds = time.perf_counter() - started
    failed = states.count("failed")
    return audits_n / seconds * 60, failed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--followers", type=int, default=2000)
    parser.add_argument("--audits", type=int, default=24)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    server, base = start_server(args.followers, args.audits)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            app, settings = make_app(Path(tmp), base)
            print(f"one audit, {args.followers:,}-follower sample, local fake platform:")
            one_audit(app, "bluesky", "user0.bsky.test", 50)  # warm up imports and the model
            for platform, handle in (
                ("mastodon", "alice@social.test"),
                ("bluesky", "user1.bsky.test"),
            ):
                r = one_audit(app, platform, handle, args.followers)
                print(
                    f"  {platform:<9} {r['requests']:>4} requests  CPU {r['cpu']:.2f} s "
                    f"(fetch {r['fetch_cpu']:.2f} s, "
                    f"store+score {r['cpu'] - r['fetch_cpu']:.2f} s)  "
                    f"wall {r['wall']:.2f} s"
                )
        for kind in ("thread", "process"):
            with tempfile.TemporaryDirectory() as tmp:
                _app, settings = make_app(Path(tmp), base)
                rate, failed = throughput(settings, args.audits, args.workers, args.followers, kind)
                print(
                    f"throughput: {args.audits} Bluesky audits, {args.workers} {kind} workers "
                    f"(huey on SQLite): {rate:.1f} audits/minute"
                    + (f", {failed} failed" if failed else "")
                )
    finally:
        server.terminate()


if __name__ == "__main__":
    main()
