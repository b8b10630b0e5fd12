"""The cards and requests of the lookup benchmarks (bench/lookup.py, lookup_cpu.py,
lookup_profile.py): N cards filled into SQLite or PostgreSQL, and request bodies.

Cards are made from one template run through `genuine.cards.store.card_row` and stored
through the real `save_cards`; the other rows copy its stored form with the handle
swapped (checked against card_row) and go in with the driver's bulk path, because
card_row plus the ORM would take minutes at 1M.
"""

from __future__ import annotations

import hashlib
import json
import random
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from alembic.util import CommandError

from genuine import create_app
from genuine.api.cards import prefix_length
from genuine.cards.store import card_row, save_cards
from genuine.config import PRIVATE_BUCKET_SIZE
from genuine.db import get_db, upgrade
from genuine.models.accounts import lookup_key

PLACEHOLDER = "zzplaceholder9"  # a valid x handle that occurs nowhere else in a card
COLUMNS = "lookup_key, platform, handle, computed_at, model_version, card, etag, compact"
STORED = COLUMNS.replace("card,", "CAST(card AS TEXT),")
READ_LIMIT = "100000000 per minute"
BATCH, MISS_SHARE, BODIES = 50, 0.1, 256


def handle(i: int) -> str:
    return f"user{i}"


def make_card(handle: str) -> dict:
    """A typical card, shaped like tests/api/conftest.py's make_card."""
    return {
        "platform": "x",
        "handle": handle,
        "computed_at": "2026-11-23T20:00:00+00:00",
        "badges": {
            "follower_purchase_risk": {
                "level": "low",
                "score": 0.07,
                "interval": [0.04, 0.11],
                "sample_size": 2000,
                "reasons": [{"code": "sample", "text": "2,000 followers sampled; few look bought"}],
            },
            "reply_rate": {
                "level": "responsive",
                "answered_share": 0.93,
                "median_reply_seconds": 534,
                "sample_size": 191,
                "equity": None,
                "reasons": [],
            },
            "follow_back_ring": {
                "level": "not_member",
                "ring_id": None,
                "ring_size": None,
                "density": None,
                "reasons": [],
            },
        },
        "model_version": "bench-1",
        "report_url": f"http://127.0.0.1:5000/report/x/{handle}",
    }


# --- filling the database -------------------------------------------------------------


def template(engine: sa.Engine) -> tuple[tuple, str]:
    """The stored row of a card saved the real way, and the text its ETag hashes."""
    card = make_card(PLACEHOLDER)
    with engine.begin() as conn:
        save_cards(conn, [card])
    with engine.connect() as conn:
        raw = conn.exec_driver_sql(f"SELECT {STORED} FROM badgecard").one()
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM badgecard")
    hashed = json.dumps(card, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return tuple(raw), hashed


def rows(stored: tuple, hashed: str, start: int, stop: int) -> Iterator[tuple]:
    _key, platform, _handle, computed_at, version, text, _etag, compact = stored
    for i in range(start, stop):
        h = handle(i)
        yield (
            hashlib.sha256(f"{platform}:{h}".encode()).hexdigest(),
            platform,
            h,
            computed_at,
            version,
            text.replace(PLACEHOLDER, h),
            hashlib.sha256(hashed.replace(PLACEHOLDER, h).encode()).hexdigest()[:32],
            compact,  # holds no handle: the same for every copy
        )


def check_rows(stored: tuple, hashed: str) -> None:
    """The swapped rows are what card_row makes for the same card."""
    for i in (0, 12345, 999_999):
        key, _, h, _, _, text, etag, compact = next(rows(stored, hashed, i, i + 1))
        want = card_row(make_card(handle(i)))
        got = (key, h, etag, compact)
        assert got == (want["lookup_key"], want["handle"], want["etag"], want["compact"]), i
        assert json.loads(text) == want["card"], i


def fill(url: str, instance: Path, n: int) -> float:
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(instance), "SECRET_KEY": "bench"})
    try:
        upgrade(app)
    except CommandError as exc:  # a migration branch mid-merge: measure on all heads anyway
        print(f"warning: {exc}; upgrading to all heads")
        upgrade(app, "heads")
    engine = get_db(app).engine
    stored, hashed = template(engine)
    check_rows(stored, hashed)
    started = time.perf_counter()
    chunk = 100_000
    if engine.dialect.name == "sqlite":
        db = sqlite3.connect(engine.url.database)
        db.execute("PRAGMA cache_size=-400000")
        db.execute("PRAGMA synchronous=OFF")
        with db:
            for start in range(0, n, chunk):
                db.executemany(
                    f"INSERT INTO badgecard ({COLUMNS}) VALUES (?,?,?,?,?,?,?,?)",
                    rows(stored, hashed, start, min(n, start + chunk)),
                )
        db.execute("ANALYZE")
        db.close()
    else:
        raw = engine.raw_connection()
        try:
            with raw.cursor() as cur, cur.copy(f"COPY badgecard ({COLUMNS}) FROM STDIN") as copy:
                for start in range(0, n, chunk):
                    lines = [
                        "\t".join(_copy_text(v) for v in row)
                        for row in rows(stored, hashed, start, min(n, start + chunk))
                    ]
                    copy.write("\n".join(lines) + "\n")
            raw.commit()
            # VACUUM, not only ANALYZE: the first read of each freshly copied page sets its
            # hint bits and dirties it (EXPLAIN BUFFERS at 1M: dirtied=26 written=47 per
            # lookup), which a served table that autovacuum has seen does not pay.
            raw.driver_connection.autocommit = True
            with raw.cursor() as cur:
                cur.execute("VACUUM (ANALYZE) badgecard")
        finally:
            raw.close()
    engine.dispose()
    return time.perf_counter() - started


def _copy_text(value: object) -> str:
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def bodies(n: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    misses = round(BATCH * MISS_SHARE)
    made = []
    for _ in range(BODIES):
        known = [handle(i) for i in rng.sample(range(n), BATCH - misses)]
        missing = [f"miss{rng.randrange(10**9)}" for _ in range(misses)]
        names = known + missing
        rng.shuffle(names)
        accounts = [{"platform": "x", "handle": h} for h in names]
        made.append(json.dumps({"accounts": accounts}).encode())
    return made


def range_bodies(n: int, seed: int) -> list[bytes]:
    """Private mode's requests for the same pages as `bodies`: the accounts' distinct key
    prefixes at the length GET /meta announces for n cards, compact entries."""
    length = prefix_length(n, PRIVATE_BUCKET_SIZE)
    made = []
    for body in bodies(n, seed):
        keys = [lookup_key(a["platform"], a["handle"]) for a in json.loads(body)["accounts"]]
        prefixes = list(dict.fromkeys(k[:length] for k in keys))
        made.append(json.dumps({"prefixes": prefixes, "compact": True}).encode())
    return made
