"""Jetstream ingest benchmark (issue 13): events per second into the store, memory, cards.

Synthetic frames in the real mix of the three collections (mostly posts and follows; some
unfollows, post deletes, profiles, handle changes and deactivations) over a population of
accounts whose popularity follows a power law, in time order, in Jetstream's v1 JSON wire
(tests/jetstream/frames.py writes them).

For SQLite (and PostgreSQL when reachable, in a throwaway schema) it measures, in one run:

- ingest, end to end: a loopback Jetstream stand-in (tests/jetstream/standin.py, in this
  process) streams the frames over WebSocket to the real client (genuine.jetstream.client:
  parse, batches of 1,000 or 1 s, one transaction each with its cursor) in a child process,
  whose resident memory is sampled every second: events per second and peak RSS;
- baseline: the same frames JSON-decoded and bulk-inserted with the driver (executemany into
  bare follow and post tables, no ORM, no checks): what decoding and the database cost alone;
- rescoring, once the replay has ended: 2 worker processes claim and rescore the dirty
  accounts (genuine.jetstream.rescore, batches of RESCORE_BATCH) against a loopback AppView
  stand-in that names every account and counts its followers (getProfiles, as the public
  AppView would): cards per second until every active account has one (or
  --rescore-seconds);
- coverage: of the accounts that posted or followed, the share with a card 60 s after the
  replay ended (the workers start then: no head start);
- disk: database size per million accounts (SQLite file size; pg_database_size delta).

    .venv/bin/python bench/jetstream.py [--events 1000000] [--accounts 100000]
                                        [--postgres URL | --no-postgres] [--skip-rescore]

Goals: >= 5,000 events/s on SQLite, within 3x of the baseline, memory flat (< 500 MB), and
>= 95% of the active accounts carded within 60 s of the replay's end.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sqlite3
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa
from bench.jetstream_data import appview, counts, sizes, synthetic
from bench.lookup import add_postgres_options, postgres_urls

from genuine import create_app
from genuine.db import get_db, upgrade
from tests.jetstream.standin import Standin

BATCH = 1000
SAMPLES = 10


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def make_app(url: str, instance: Path, **config):
    app = create_app(
        {
            "DATABASE_URL": url,
            "INSTANCE_PATH": str(instance),
            "SECRET_KEY": "bench",
            "PUBLIC_URL": "http://genuine.bench",
            **config,
        }
    )
    with app.app_context():
        upgrade(app)
    return app


def ingest(url: str, instance: str, jet_url: str, last_us: int, n_events: int, out) -> None:
    """Child process: the real client (genuine.jetstream.client) reads the stand-in over
    loopback and commits batches until the stored cursor reaches the last frame; its
    resident memory is sampled every second."""
    from genuine.jetstream.client import Ingester, Settings, stored_cursor

    app = make_app(url, Path(instance))
    engine = get_db(app).engine
    ingester = Ingester(engine, Settings(url=jet_url, progress_seconds=3600))
    thread = threading.Thread(target=ingester.run)
    memory = []
    started = time.perf_counter()
    thread.start()
    while stored_cursor(engine, "jetstream") != last_us:
        time.sleep(1.0)
        memory.append(round(rss_mb()))
    seconds = time.perf_counter() - started
    ingester.stop.set()
    thread.join()
    step = max(1, len(memory) // SAMPLES)
    out.put(
        {
            "seconds": seconds,
            "rate": n_events / seconds,
            "rss_mb": memory[::step],
            "peak_rss_mb": max(memory or [0]),
            "bad": sum(ingester.stats.bad.values()),
            "batches": ingester.stats.batches,
        }
    )


def baseline(url: str, n_events: int, n_accounts: int) -> dict:
    """JSON-decode the same frames and bulk-insert follows and posts with the driver."""
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        mark = "?"
    else:
        import psycopg

        plain = sa.make_url(url).set(drivername="postgresql")
        conn = psycopg.connect(plain.render_as_string(hide_password=False))
        mark = "%s"
    cur = conn.cursor()
    cur.execute("CREATE TABLE IF NOT EXISTS base_follow (did TEXT, rkey TEXT, subject TEXT)")
    cur.execute("CREATE TABLE IF NOT EXISTS base_post (did TEXT, rkey TEXT, text TEXT)")
    follow_sql = f"INSERT INTO base_follow VALUES ({mark}, {mark}, {mark})"
    post_sql = f"INSERT INTO base_post VALUES ({mark}, {mark}, {mark})"
    started = time.perf_counter()
    follows, posts = [], []
    for i, text in enumerate(synthetic(n_events, n_accounts), 1):
        body = json.loads(text)
        commit = body.get("commit") or {}
        record = commit.get("record") or {}
        if commit.get("collection") == "app.bsky.graph.follow":
            follows.append((body["did"], commit["rkey"], record.get("subject")))
        elif commit.get("collection") == "app.bsky.feed.post":
            posts.append((body["did"], commit["rkey"], record.get("text")))
        if i % BATCH == 0 or i == n_events:
            cur.executemany(follow_sql, follows)
            cur.executemany(post_sql, posts)
            conn.commit()
            follows, posts = [], []
    seconds = time.perf_counter() - started
    cur.execute("DROP TABLE base_follow")
    cur.execute("DROP TABLE base_post")
    conn.commit()
    conn.close()
    return {"seconds": seconds, "rate": n_events / seconds}


def rescorer(url: str, instance: str, base: str, until, out) -> None:
    """Child process: claim and rescore due accounts until `until.value` (time.time())."""
    from datetime import UTC, datetime, timedelta

    from genuine.jetstream import rescore
    from genuine.sources.bluesky import BlueskySource

    app = make_app(url, Path(instance), BLUESKY_BASE_URL=base, SOURCE_BUDGET=10**9)
    engine = get_db(app).engine
    carded, busy, size = 0, 0.0, int(app.config["RESCORE_BATCH"])
    after = timedelta(seconds=float(app.config["RESCORE_AFTER_SECONDS"]))
    while time.time() < until.value:
        began = time.perf_counter()
        dids = rescore.claim(engine, datetime.now(UTC), after, size)
        if not dids:
            time.sleep(0.2)
            continue
        source = BlueskySource(app.config)
        carded += rescore.rescore(engine, app.config, dids, source=source).carded
        busy += time.perf_counter() - began
    out.put({"carded": carded, "busy": busy})


def run_backend(name: str, url: str, args, tmp: Path) -> dict:
    # Spawned, not forked: a forked child's RSS would count the frames this process holds.
    ctx = multiprocessing.get_context("spawn")
    instance = str(tmp / f"instance-{name}")
    make_app(url, Path(instance))
    print(f"{name}: baseline (json + driver executemany) ...", flush=True)
    base = baseline(url, args.events, args.accounts)
    print(f"{name}:   {base['rate']:,.0f} events/s", flush=True)
    out = ctx.Queue()
    print(f"{name}: ingest {args.events:,} events through the client ...", flush=True)
    jet = Standin()
    jet.__enter__()
    frames = list(synthetic(args.events, args.accounts))
    last_us = json.loads(frames[-1])["time_us"]
    jet.add(*frames)
    del frames
    child = ctx.Process(target=ingest, args=(url, instance, jet.url, last_us, args.events, out))
    child.start()
    result = out.get()
    child.join()
    jet.close()
    print(
        f"{name}:   {result['rate']:,.0f} events/s ({result['seconds']:.0f} s), "
        f"{result['rate'] / base['rate']:.2f} of the baseline; RSS MB over the run "
        f"{result['rss_mb']} (peak {result['peak_rss_mb']})",
        flush=True,
    )
    row = {"baseline": base, "ingest": result, "tables": sizes(url)}
    total = sum(t["bytes"] for t in row["tables"].values())
    actors = counts(url)["actors"]
    row["mb_per_million_accounts"] = total / 2**20 / (actors / 1e6)
    per = ", ".join(
        f"{table} {t['bytes'] / max(t['rows'], 1):,.0f} B/row ({t['rows']:,} rows)"
        for table, t in row["tables"].items()
    )
    print(f"{name}:   {row['mb_per_million_accounts']:,.0f} MB per million accounts; {per}")
    if not args.skip_rescore:
        row["rescore"] = catch_up(ctx, url, instance, args.rescore_seconds, name)
        cards = {t: v for t, v in sizes(url).items() if t in ("badgecard", "accountreport")}
        row["card_tables"] = cards
        print(
            f"{name}:   cards: "
            + ", ".join(
                f"{t} {v['bytes'] / max(v['rows'], 1):,.0f} B/row ({v['rows']:,} rows)"
                for t, v in cards.items()
            ),
            flush=True,
        )
    return row


def catch_up(ctx, url: str, instance: str, limit: float, name: str) -> dict:
    """2 workers card the accounts the replay left dirty, starting when it ended: coverage
    after 60 s, then cards per second until all are carded or `limit` seconds pass."""
    out = ctx.Queue()
    base_url = appview()
    started = time.time()
    deadline = ctx.Value("d", started + limit)
    workers = [
        ctx.Process(target=rescorer, args=(url, instance, base_url, deadline, out))
        for _ in range(2)
    ]
    for w in workers:
        w.start()
    at_60 = None
    while time.time() < deadline.value:
        time.sleep(5)
        seen = counts(url)
        if at_60 is None and time.time() - started >= 60:
            at_60 = seen
        if seen["carded"] >= seen["active"]:
            break
    deadline.value = 0
    busy = [out.get() for _ in workers]
    for w in workers:
        w.join()
    elapsed = time.time() - started
    seen = counts(url)
    at_60 = at_60 or seen
    carded = sum(b["carded"] for b in busy)
    row = {
        "coverage_60s": at_60["carded"] / max(1, at_60["active"]),
        "coverage_end": seen["carded"] / max(1, seen["active"]),
        "seconds": elapsed,
        "cards_per_second": carded / elapsed,
        "cards_per_worker_second": carded / max(sum(b["busy"] for b in busy), 1e-9),
    }
    print(
        f"{name}:   rescoring from the replay's end, 2 workers: {at_60['carded']:,} of "
        f"{at_60['active']:,} active accounts carded after 60 s ({row['coverage_60s']:.1%}); "
        f"{seen['carded']:,} ({row['coverage_end']:.1%}) after {elapsed:,.0f} s: "
        f"{row['cards_per_second']:,.0f} cards/s ({row['cards_per_worker_second']:,.0f} per "
        "worker-second of work)",
        flush=True,
    )
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--accounts", type=int, default=100_000)
    add_postgres_options(parser)
    parser.add_argument("--skip-rescore", action="store_true")
    parser.add_argument(
        "--rescore-seconds", type=float, default=900.0, help="longest the catch-up runs"
    )
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        results["sqlite"] = run_backend("sqlite", f"sqlite:///{tmp / 'bench.sqlite'}", args, tmp)
        if not args.no_postgres:
            try:
                url_for = postgres_urls(args.postgres)
                url, cleanup = url_for(0, tmp)
            except sa.exc.OperationalError as exc:
                print(f"postgresql skipped: unreachable ({str(exc.orig).strip()[:200]})")
            else:
                try:
                    results["postgresql"] = run_backend("postgresql", url, args, tmp)
                finally:
                    cleanup()
    print(json.dumps(results, indent=1, default=str))


if __name__ == "__main__":
    main()
