"""Synthetic Jetstream frames, a loopback AppView and the store's counts, for bench/jetstream.py."""

from __future__ import annotations

import itertools
import json
import random
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa

from tests.jetstream import frames as fr

# The mix of the three collections on the real stream (rounded; posts and follows dominate,
# likes and reposts are not asked for).
MIX = (
    ("post", 0.52),
    ("reply", 0.18),
    ("follow", 0.20),
    ("unfollow", 0.04),
    ("delete_post", 0.03),
    ("profile", 0.02),
    ("identity", 0.008),
    ("account", 0.002),
)


def handle(n: int) -> str:
    return f"u{n}.bench.test"


def did_number(did: str) -> int:
    return int(did.rsplit(":", 1)[1])


def synthetic(n_events: int, n_accounts: int, seed: int = 7) -> Iterator[str]:
    """`n_events` frames in time order, 2 ms apart on average."""
    rng = random.Random(seed)
    kinds = [k for k, _ in MIX]
    weights = [w for _, w in MIX]
    # Popularity: follow subjects and reply parents drawn from a Zipf-like law.
    ranks = list(itertools.accumulate(1.0 / (i + 1) ** 0.9 for i in range(n_accounts)))
    accounts = range(n_accounts)
    posts: list[tuple[str, str]] = []
    follows: dict[str, list[str]] = {}
    t = fr.T0
    for i in range(n_events):
        t += rng.randint(1, 4000)
        who = fr.did(rng.randrange(n_accounts))
        kind = rng.choices(kinds, weights)[0]
        if kind in ("reply", "delete_post") and not posts:
            kind = "post"
        if kind == "unfollow" and not follows.get(who):
            kind = "follow"
        if kind == "post":
            rkey = f"p{i}"
            posts.append((who, rkey))
            yield fr.frame(fr.post(who, t, rkey, text=f"post {i}"))
        elif kind == "reply":
            parent = posts[rng.randrange(len(posts))]
            rkey = f"p{i}"
            posts.append((who, rkey))
            yield fr.frame(fr.post(who, t, rkey, text=f"reply {i}?", parent=parent))
        elif kind == "follow":
            subject = fr.did(rng.choices(accounts, cum_weights=ranks)[0])  # bisect: O(log n)
            rkey = f"f{i}"
            follows.setdefault(who, []).append(rkey)
            yield fr.frame(fr.follow(who, t, rkey, subject))
        elif kind == "unfollow":
            rkeys = follows[who]
            yield fr.frame(fr.unfollow(who, t, rkeys.pop(rng.randrange(len(rkeys)))))
        elif kind == "delete_post":
            author, rkey = posts[rng.randrange(len(posts))]
            yield fr.frame(fr.delete_post(author, t, rkey))
        elif kind == "profile":
            yield fr.frame(fr.profile(who, t, name=f"User {i}", bio="bench"))
        elif kind == "identity":
            yield fr.frame(fr.identity(who, t, handle(did_number(who))))
        else:
            yield fr.frame(fr.account(who, t, rng.random() < 0.5, "deactivated"))


class AppView(BaseHTTPRequestHandler):
    """getProfiles naming every synthetic account u<n>.bench.test, with counts."""

    def do_GET(self):
        query = parse_qs(urlparse(self.path).query)
        profiles = [
            {
                "did": did,
                "handle": handle(did_number(did)),
                "followersCount": did_number(did) % 500,
                "followsCount": 200,
                "postsCount": 30,
                "createdAt": "2025-01-01T00:00:00Z",
            }
            for did in query.get("actors", [])
        ]
        body = json.dumps({"profiles": profiles}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # quiet
        pass


def appview() -> str:
    server = ThreadingHTTPServer(("127.0.0.1", 0), AppView)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"


def counts(url: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        active = conn.execute(
            sa.text(
                "SELECT COUNT(*) FROM bluesky_actor WHERE active AND did IN "
                "(SELECT follower FROM follow UNION SELECT author FROM post)"
            )
        ).scalar_one()
        carded = conn.execute(
            sa.text(
                "SELECT COUNT(*) FROM bluesky_actor a JOIN badgecard c "
                "ON c.platform = 'bluesky' AND c.handle = a.handle WHERE a.active AND a.did IN "
                "(SELECT follower FROM follow UNION SELECT author FROM post)"
            )
        ).scalar_one()
        actors = conn.execute(sa.text("SELECT COUNT(*) FROM bluesky_actor")).scalar_one()
    engine.dispose()
    return {"active": active, "carded": carded, "actors": actors}


TABLES = (
    "follow",
    "bluesky_follow_rkey",
    "post",
    "account",
    "bluesky_actor",
    "badgecard",
    "accountreport",
)


def sizes(url: str) -> dict[str, dict[str, int]]:
    """Rows and bytes (indexes included) of the tables the ingester and rescoring fill."""
    engine = sa.create_engine(url)
    out = {}
    with engine.connect() as conn:
        for table in TABLES:
            rows = conn.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
            if conn.dialect.name == "postgresql":
                size = conn.execute(
                    sa.text("SELECT pg_total_relation_size(CAST(:t AS regclass))"), {"t": table}
                ).scalar_one()
            else:  # the table and its indexes, from SQLite's dbstat
                size = conn.execute(
                    sa.text(
                        "SELECT COALESCE(SUM(pgsize), 0) FROM dbstat WHERE name = :t OR name IN "
                        "(SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = :t)"
                    ),
                    {"t": table},
                ).scalar_one()
            out[table] = {"rows": rows, "bytes": int(size)}
    engine.dispose()
    return out
