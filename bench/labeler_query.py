"""bench/labeler.py's accounts, label plan and queryLabels load (against bench/lookup.py's
floor), kept apart so each file stays short."""

from __future__ import annotations

import argparse
import base64
import hashlib
import http.client
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

from genuine.labeler.emit import Subject
from lookup import READ_LIMIT, backend_pids, load, serve, stop
from lookup import show as lookup_show

DID = "did:plc:genuinebenchlabeler0000"
XRPC = "/xrpc/com.atproto.label.queryLabels"
T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
VALS = ("bought-followers-high", "rarely-answers")
ASKED = 10


def did(j: int) -> str:
    digest = base64.b32encode(hashlib.sha256(b"acct%d" % j).digest()).decode().lower()
    return "did:plc:" + digest[:24]


def planned(n: int, start: int = 0, stop_: int | None = None):
    """(subject, val, neg, now) of label i: round r of account j (i = r * accounts + j)."""
    accounts = max(1, n // 4)
    for i in range(start, n if stop_ is None else stop_):
        r, j = divmod(i, accounts)
        subject = Subject("bluesky", f"user{j}.bsky.social", did(j), {})
        yield subject, VALS[r % 2], r % 4 == 3, T0 + timedelta(days=r)


def rows_of(n: int, j: int) -> int:
    accounts = max(1, n // 4)
    return n // accounts + (1 if j < n % accounts else 0)


# --- 3. queryLabels ---------------------------------------------------------------------


def query_requests(n: int, seed: int) -> list[tuple[str, str, None]]:
    rng = random.Random(seed)
    accounts = max(1, n // 4)
    made = []
    for _ in range(256):
        known = [did(j) for j in rng.sample(range(accounts), min(ASKED - 1, accounts))]
        uris = [*known, f"did:plc:nobody{rng.randrange(10**9):015d}"]
        rng.shuffle(uris)
        query = urlencode([("uriPatterns", u) for u in uris] + [("limit", "250")])
        made.append(("GET", f"{XRPC}?{query}", None))
    return made


def warm_and_check(port: int, n: int) -> bytes:
    """A few requests before timing; each answer holds exactly the rows of the DIDs asked."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    index = {did(j): j for j in range(max(1, n // 4))}
    answer = b""
    for _, path, _ in query_requests(n, 7)[:20]:
        conn.request("GET", path)
        response = conn.getresponse()
        answer = response.read()
        assert response.status == 200, answer[:300]
        asked = [v for k, v in parse_qsl(path.split("?", 1)[1]) if k == "uriPatterns"]
        labels = json.loads(answer)["labels"]
        want = sum(rows_of(n, index[u]) for u in asked if u in index)
        assert len(labels) == want and {x["uri"] for x in labels} <= set(asked), path
    conn.close()
    return answer


def show(name: str, r: dict) -> None:
    lookup_show(name, r, unit="requests")


def _load_args(args) -> argparse.Namespace:
    """What bench/lookup.py's load reads of its options."""
    return argparse.Namespace(clients=args.clients, seconds=args.seconds, max_requests=10**6)


def query_load(url: str, instance: Path, n: int, args) -> dict:
    env = {
        "GENUINE_DATABASE_URL": url,
        "GENUINE_INSTANCE_PATH": str(instance),
        "GENUINE_SECRET_KEY": "bench",
        "GENUINE_LABELER_DID": DID,
        "GENUINE_RATE_LIMIT_READ": READ_LIMIT,
    }
    proc, port = serve("genuine:create_app()", env, instance / "gunicorn.log")
    try:
        answer = warm_and_check(port, n)
        db = backend_pids(url)
        result = load(port, n, _load_args(args), query_requests, proc.pid, db)
    finally:
        stop(proc)
    return result | {"answer": answer}


def floor(answer: bytes, n: int, args, tmp: Path) -> dict:
    body = tmp / "floor-query.json"
    body.write_bytes(answer)
    proc, port = serve("floor_app:create_app()", {"GENUINE_FLOOR_BODY": str(body)}, tmp / "fl.log")
    try:
        return load(port, n, _load_args(args), query_requests, proc.pid)
    finally:
        stop(proc)
