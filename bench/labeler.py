"""Labeler benchmark: signing, queryLabels over HTTP, and a subscribeLabels replay.

    .venv/bin/python bench/labeler.py [--labels 1000000] [--sign 20000] [--seconds 15]
                                      [--clients 3] [--postgres URL | --no-postgres]

Quick run: --labels 20000 --sign 3000 --seconds 3.

1. Signing, in this process on one thread, over the same --sign labels: the library's raw
   call (cryptography's ECDSA secp256k1/SHA-256 ``key.sign``) on the exact bytes our
   labels sign; ``genuine.labeler.sign.sign_label`` (DAG-CBOR, sign, low-S); and
   ``Labeler.row`` (the whole signed row as ``genuine labeler sync`` makes it). Rates by
   the wall clock and per CPU second, the load of other processes beside them.
2. The store: --labels labels made by ``Labeler.row`` and appended by ``emit.append``
   (1,000 rows a statement) to SQLite; PostgreSQL (when reachable, in a throwaway schema)
   gets the same signed rows copied from there. N/4 accounts with four rows each: two
   labels emitted, the first renewed, the second negated.
3. queryLabels on the real app under ``gunicorn -w 2`` (bench/lookup.py's serve and
   load), 10 DIDs a request (9 in the store, 1 not), limit 250, against the floor of
   bench/lookup.py (bench/floor_app.py answering a captured answer) in the same run.
4. Replay: ``genuine labeler stream`` as a subprocess and a websockets client reading from
   ``cursor=0`` to the newest seq, every frame decoded (DAG-CBOR header + body), seqs checked.

Goals (issue 14): signing >= 5,000 labels/s on one core; replay >= 20,000 labels/s;
queryLabels p99 < 25 ms.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import coincurve
import libipld
import sqlalchemy as sa
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from websockets.sync.client import connect

from genuine import create_app
from genuine.db import get_db, upgrade
from genuine.labeler.emit import LABEL, Labeler, append
from genuine.labeler.sign import generate_key, sign_label, signing_bytes
from genuine.labeler.stream import PATH
from labeler_query import (
    DID,
    floor,
    planned,
    query_load,
    show,
)
from lookup import (
    _die_with_parent,
    add_postgres_options,
    backend_pids,
    free_port,
    machine_busy,
    postgres_urls,
    server_cpu,
    stop,
)

GENUINE = str(Path(sys.executable).with_name("genuine"))
CHUNK, TRANSACTION = 1000, 50


def others(busy: float, mine: float, elapsed: float) -> float:
    """Cores' worth of CPU that other processes used meanwhile."""
    return max(0.0, (busy - mine) / elapsed)


def cpu_now() -> float:
    t = os.times()
    return t.user + t.system


# --- 1. signing ------------------------------------------------------------------------


def timed(work) -> tuple[float, float, float]:
    busy, cpu, wall = machine_busy(), time.process_time(), time.perf_counter()
    work()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return wall, cpu, others(machine_busy() - busy, cpu, wall)


def signing(key: ec.EllipticCurvePrivateKey, m: int) -> dict[str, float]:
    signer = Labeler(DID, key)
    plan = list(planned(m))
    labels = [signer.label(*p) for p in plan]
    data = [signing_bytes(label) for label in labels]
    algorithm = ec.ECDSA(hashes.SHA256())
    raw = coincurve.PrivateKey(key.private_numbers().private_value.to_bytes(32, "big"))
    runs = {
        # The library we sign with (libsecp256k1), and OpenSSL's as it was before.
        "raw sign_recoverable (coincurve)": lambda: [
            raw.sign_recoverable(d, hasher=lambda m: hashlib.sha256(m).digest()) for d in data
        ],
        "raw key.sign (cryptography)": lambda: [key.sign(d, algorithm) for d in data],
        "sign_label (+ DAG-CBOR, low-S)": lambda: [sign_label(key, x) for x in labels],
        "Labeler.row (the signed row)": lambda: [signer.row(*p) for p in plan],
    }
    rates = {}
    print(f"signing {m:,} labels, one thread:", flush=True)
    for name, work in runs.items():
        wall, cpu, load_ = timed(work)
        rates[name] = m / cpu
        print(
            f"  {name:<32} {m / wall:>8,.0f} labels/s  ({m / cpu:,.0f} per CPU second; "
            f"others used {load_:.2f} cores)",
            flush=True,
        )
    return rates


# --- 2. the store ----------------------------------------------------------------------


def make_app(url: str, instance: Path):
    instance.mkdir(parents=True, exist_ok=True)
    config = {"DATABASE_URL": url, "INSTANCE_PATH": str(instance), "SECRET_KEY": "bench"}
    app = create_app(config | {"LABELER_DID": DID})
    upgrade(app)
    return app


def analyze(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE" if engine.dialect.name == "sqlite" else "ANALYZE label")


def fill(url: str, instance: Path, n: int, key) -> sa.Engine:
    engine = get_db(make_app(url, instance)).engine
    signer = Labeler(DID, key)
    busy, cpu, wall = machine_busy(), time.process_time(), time.perf_counter()
    for first in range(0, n, CHUNK * TRANSACTION):
        with engine.begin() as conn:
            for start in range(first, min(n, first + CHUNK * TRANSACTION), CHUNK):
                append(conn, [signer.row(*p) for p in planned(n, start, min(n, start + CHUNK))])
        done = min(n, first + CHUNK * TRANSACTION)
        if done % 100_000 == 0 or done == n:
            print(f"  {done:,} labels signed and stored", flush=True)
    analyze(engine)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(
        f"sqlite store: {n:,} labels signed + appended in {wall:.0f} s, {n / wall:,.0f} labels/s "
        f"({n / cpu:,.0f} per CPU second; others used "
        f"{others(machine_busy() - busy, cpu, wall):.2f} cores)",
        flush=True,
    )
    return engine


def copy_store(source: sa.Engine, url: str, instance: Path, n: int) -> None:
    engine = get_db(make_app(url, instance)).engine
    columns = [c for c in LABEL.c if c.name != "seq"]
    wall, last = time.perf_counter(), 0
    with source.connect() as read:
        while True:
            query = sa.select(LABEL).where(LABEL.c.seq > last).order_by(LABEL.c.seq)
            batch = list(read.execute(query.limit(CHUNK * TRANSACTION)))
            if not batch:
                break
            last = batch[-1].seq
            rows = [{c.name: getattr(r, c.name) for c in columns} for r in batch]
            with engine.begin() as conn:
                for start in range(0, len(rows), CHUNK):
                    append(conn, rows[start : start + CHUNK])
    analyze(engine)
    engine.dispose()
    wall = time.perf_counter() - wall
    print(f"postgresql store: {n:,} signed rows appended in {wall:.0f} s", flush=True)


# --- 4. replay --------------------------------------------------------------------------


def replay(url: str, instance: Path, n: int) -> dict:
    port = free_port()
    env = os.environ | {
        "GENUINE_DATABASE_URL": url,
        "GENUINE_INSTANCE_PATH": str(instance),
        "GENUINE_SECRET_KEY": "bench",
        "GENUINE_LABELER_DID": DID,
    }
    log = instance / "stream.log"
    cmd = [GENUINE, "labeler", "stream", "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(
        cmd, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, preexec_fn=_die_with_parent
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    tail = log.read_text()[-2000:]
                    raise RuntimeError(f"stream did not start:\n{tail}") from None
                time.sleep(0.2)
        db = backend_pids(url)
        server0, db0 = server_cpu(-1, {proc.pid}), server_cpu(-1, db)
        busy0, me0 = machine_busy(), cpu_now()
        began = time.perf_counter()
        count = last = 0
        with connect(f"ws://127.0.0.1:{port}{PATH}?cursor=0", max_size=2**20) as ws:
            while count < n:
                header, body = libipld.decode_dag_cbor_multi(ws.recv())
                assert header == {"op": 1, "t": "#labels"} and body["seq"] > last, (header, body)
                last = body["seq"]
                count += len(body["labels"])
        elapsed = time.perf_counter() - began
        server = server_cpu(-1, {proc.pid}) - server0
        db_cpu = server_cpu(-1, backend_pids(url) | db) - db0
        client = cpu_now() - me0
    finally:
        stop(proc)
    busy = machine_busy() - busy0
    return {
        "labels_per_s": count / elapsed,
        "seconds": elapsed,
        "server_us": server / count * 1e6,
        "client_us": client / count * 1e6,
        "db_us": db_cpu / count * 1e6,
        "others": others(busy, server + client + db_cpu, elapsed),
    }


def run_backend(name: str, url: str, instance: Path, n: int, args) -> dict:
    query = query_load(url, instance, n, args)
    show(f"queryLabels {name}", query)
    r = replay(url, instance, n)
    print(
        f"  replay {name} from cursor=0: {r['labels_per_s']:,.0f} labels/s ({n:,} in "
        f"{r['seconds']:.1f} s); CPU/label: server {r['server_us']:.0f} us, client "
        f"{r['client_us']:.0f} us"
        + (f", PostgreSQL {r['db_us']:.0f} us" if r["db_us"] else "")
        + f"; others used {r['others']:.2f} cores",
        flush=True,
    )
    return {"query": query, "replay": r}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--labels", type=int, default=1_000_000, help="labels in the store")
    parser.add_argument("--sign", type=int, default=20_000, help="labels signed per method")
    parser.add_argument("--seconds", type=float, default=15.0, help="per queryLabels load")
    parser.add_argument("--clients", type=int, default=3, help="client processes")
    add_postgres_options(parser)
    args = parser.parse_args()
    n = args.labels
    if n < 4 or args.sign < 1:
        parser.error("--labels must be at least 4 and --sign at least 1")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the finally blocks run
    print(
        f"machine: {os.cpu_count()} cores, shared with other sessions; load average "
        f"{os.getloadavg()[0]:.2f} at the start; loopback only",
        flush=True,
    )
    key = generate_key()
    rates = signing(key, args.sign)
    results = {}
    with tempfile.TemporaryDirectory(prefix="genuine-bench-labeler-") as name:
        tmp = Path(name)
        lite = tmp / "sqlite"
        url = f"sqlite:///{lite / 'genuine.sqlite'}"
        source = fill(url, lite, n, key)
        results["sqlite"] = run_backend("sqlite", url, lite, n, args)
        if not args.no_postgres:
            try:
                url_for = postgres_urls(args.postgres)
            except sa.exc.OperationalError as exc:
                print(f"postgresql skipped: unreachable ({str(exc.orig).strip()[:200]})")
            else:
                pg, cleanup = url_for(n, tmp / "pg")
                try:
                    copy_store(source, pg, tmp / "pg", n)
                    results["postgresql"] = run_backend("postgresql", pg, tmp / "pg", n, args)
                finally:
                    cleanup()
        source.dispose()
        base = floor(results["sqlite"]["query"]["answer"], n, args, tmp)
        show("floor (constant body)", base)
    print("goals:")
    signed = rates["Labeler.row (the signed row)"]
    raw = rates["raw sign_recoverable (coincurve)"]
    print(
        f"  signing {signed:,.0f} labels per CPU second (>= 5,000) "
        f"{'ok' if signed >= 5000 else 'MISSED'}; the raw library call alone: {raw:,.0f} "
        f"(OpenSSL through cryptography: {rates['raw key.sign (cryptography)']:,.0f})"
    )
    for name_, r in results.items():
        q, rep = r["query"], r["replay"]
        print(
            f"  {name_}: queryLabels p99 {q['p99']:.1f} ms (< 25) "
            f"{'ok' if q['p99'] < 25 else 'MISSED'}, throughput "
            f"{q['requests_per_s'] / base['requests_per_s']:.2f} of the floor; replay "
            f"{rep['labels_per_s']:,.0f} labels/s (>= 20,000) "
            f"{'ok' if rep['labels_per_s'] >= 20000 else 'MISSED'}"
        )


if __name__ == "__main__":
    main()
