"""Lookup benchmark: POST /api/v1/badges/lookup served by gunicorn, against a floor.

For N = 10,000 and 1,000,000 cards it fills a SQLite database (and PostgreSQL when
reachable, in a throwaway schema), serves the real app with `gunicorn -w 2` on a
loopback port, and drives it from a few client processes, each one HTTP/1.1
connection (http.client) sending 50 accounts a request, most of them known. The same
load against bench/floor_app.py (a constant answer of the same size, no database,
under the same gunicorn settings) is the floor: what Flask and gunicorn cost alone.

    .venv/bin/python bench/lookup.py [--sizes 10000,1000000] [--seconds 15] [--clients 3]
                                     [--postgres URL | --no-postgres]

Goals: lookup throughput >= half the floor's, p99 < 25 ms, 1M cards within 20% of 10k.
Cards are made from one template run through `genuine.cards.store.card_row` and stored
through the real `save_cards`; the other rows copy its stored form with the handle
swapped (checked against card_row) and go in with the driver's bulk path, because
card_row plus the ORM would take minutes at 1M.
"""

from __future__ import annotations

import argparse
import array
import ctypes
import hashlib
import http.client
import json
import multiprocessing
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from alembic.util import CommandError

from genuine import create_app
from genuine.cards.store import card_row, save_cards
from genuine.db import get_db, upgrade

BENCH = Path(__file__).resolve().parent
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
PLACEHOLDER = "zzplaceholder9"  # a valid x handle that occurs nowhere else in a card
COLUMNS = "lookup_key, platform, handle, computed_at, model_version, card, etag"
STORED = COLUMNS.replace("card,", "CAST(card AS TEXT),")
READ_LIMIT = "100000000 per minute"
APP_NAME = f"genuine-bench-lookup-{os.getpid()}"
BATCH, MISS_SHARE, BODIES = 50, 0.1, 256
JSON_HEADERS = {"Content-Type": "application/json"}


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
    _key, platform, _handle, computed_at, version, text, _etag = stored
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
        )


def check_rows(stored: tuple, hashed: str) -> None:
    """The swapped rows are what card_row makes for the same card."""
    for i in (0, 12345, 999_999):
        key, _, h, _, _, text, etag = next(rows(stored, hashed, i, i + 1))
        want = card_row(make_card(handle(i)))
        assert (key, h, etag) == (want["lookup_key"], want["handle"], want["etag"]), i
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
                    f"INSERT INTO badgecard ({COLUMNS}) VALUES (?,?,?,?,?,?,?)",
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
            with raw.cursor() as cur:
                cur.execute("ANALYZE badgecard")
            raw.commit()
        finally:
            raw.close()
    engine.dispose()
    return time.perf_counter() - started


def _copy_text(value: object) -> str:
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


# --- serving ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def serve(target: str, env: dict[str, str], log: Path, workers: int = 2) -> tuple:
    port = free_port()
    cmd = [GUNICORN, "-w", str(workers), "-b", f"127.0.0.1:{port}", "--pythonpath", str(BENCH)]
    proc = subprocess.Popen(
        [*cmd, target],
        env={**os.environ, **env},
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        preexec_fn=_die_with_parent,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited {proc.returncode}:\n{log.read_text()[-2000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/v1/meta")
            if conn.getresponse().status == 200:
                return proc, port
        except OSError:
            pass
        time.sleep(0.2)
    stop(proc)
    raise RuntimeError(f"gunicorn did not answer within 60 s:\n{log.read_text()[-2000:]}")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


# --- load ------------------------------------------------------------------------------


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


def lookup_requests(n: int, seed: int) -> list[tuple[str, str, bytes | None]]:
    """(method, path, body) of the requests a client cycles through."""
    return [("POST", "/api/v1/badges/lookup", body) for body in bodies(n, seed)]


def client(
    port: int, n: int, seed: int, start_at: float, stop_at: float, cap: int, make=lookup_requests
) -> tuple:
    """One connection: requests back to back from start_at until stop_at or `cap` requests."""
    requests = make(n, seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    latencies, errors, size = array.array("d"), 0, 0
    while time.monotonic() < start_at:
        time.sleep(0.001)
    cpu = os.times()
    sent = 0
    while sent < cap and time.monotonic() < stop_at:
        method, path, payload = requests[sent % len(requests)]
        sent += 1
        began = time.perf_counter()
        try:
            conn.request(method, path, payload, JSON_HEADERS if payload is not None else {})
            response = conn.getresponse()
            size = len(response.read())
        except (OSError, http.client.HTTPException):
            errors += 1
            conn.close()
            continue
        latencies.append(time.perf_counter() - began)
        if response.status != 200:
            errors += 1
    conn.close()
    used = os.times()
    cpu_s = used.user + used.system - cpu.user - cpu.system
    return latencies.tobytes(), errors, size, time.monotonic(), cpu_s


def _stat(pid: int) -> list[str]:
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rpartition(")")[2].split()


def server_cpu(master: int, extra: frozenset[int] = frozenset()) -> float:
    """CPU seconds used so far by gunicorn's master and its workers, or by `extra` pids."""
    total = 0.0
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            fields = _stat(int(name))
        except OSError:
            continue
        if int(name) == master or int(fields[1]) == master or int(name) in extra:
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def backend_pids(url: str) -> frozenset[int]:
    """The PostgreSQL server processes serving the benchmark's connections (by application_name)."""
    if not url.startswith("postgresql"):
        return frozenset()
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            pids = conn.execute(
                sa.text(
                    "SELECT pid FROM pg_stat_activity "
                    "WHERE application_name = :a AND pid <> pg_backend_pid()"
                ),
                {"a": APP_NAME},
            ).scalars()
            return frozenset(pids)
    finally:
        engine.dispose()


def machine_busy() -> float:
    """CPU seconds all cores spent busy since boot (from /proc/stat; steal counts as busy)."""
    with open("/proc/stat") as f:
        ticks = [int(x) for x in f.readline().split()[1:9]]
    idle = ticks[3] + ticks[4]
    return (sum(ticks) - idle) / os.sysconf("SC_CLK_TCK")


def load(
    port: int,
    n: int,
    clients: int,
    seconds: float,
    cap: int,
    master: int,
    db=frozenset(),
    make=lookup_requests,
) -> dict:
    """Drive the server; `db` are the database server's pids, whose CPU is counted apart.

    `make(n, seed)` gives each client the (method, path, body) requests it cycles through.
    """
    cpu_before, busy_before = server_cpu(master), machine_busy()
    db_before = server_cpu(-1, db)
    start_at = time.monotonic() + 1.0 + 0.2 * clients  # time for the clients to build bodies
    stop_at = start_at + seconds
    jobs = [(port, n, 1000 + c, start_at, stop_at, cap, make) for c in range(clients)]
    with multiprocessing.get_context("fork").Pool(clients) as pool:
        results = pool.starmap(client, jobs)
    server = server_cpu(master) - cpu_before
    db_cpu = server_cpu(-1, db) - db_before
    busy = machine_busy() - busy_before
    latencies = sorted(x for r in results for x in array.array("d", r[0]))
    elapsed = max(r[3] for r in results) - start_at
    count = len(latencies)

    def pct(p: float) -> float:
        return latencies[min(count - 1, int(p * count))] * 1000 if count else float("nan")

    return {
        "requests": count,
        "errors": sum(r[1] for r in results),
        "requests_per_s": count / elapsed,
        "handles_per_s": count * BATCH / elapsed,
        "p50": pct(0.50),
        "p99": pct(0.99),
        "bytes": max(r[2] for r in results),
        "server_ms": server / max(count, 1) * 1000,
        "client_ms": sum(r[4] for r in results) / max(count, 1) * 1000,
        # Cores' worth of CPU used by other processes (other sessions, the OS) meanwhile.
        "db_ms": db_cpu / max(count, 1) * 1000,
        "others": (busy - server - db_cpu - sum(r[4] for r in results)) / elapsed,
    }


def warm_and_check(port: int, n: int) -> bytes:
    """A few requests before timing; the answer must hold exactly the known handles."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    answer = b""
    for payload in bodies(n, 7)[:20]:
        conn.request("POST", "/api/v1/badges/lookup", payload, JSON_HEADERS)
        response = conn.getresponse()
        answer = response.read()
        assert response.status == 200, answer[:300]
        wanted = json.loads(payload)["accounts"]
        got = json.loads(answer)
        known = sum(1 for a in wanted if not a["handle"].startswith("miss"))
        assert len(got["found"]) == known and len(got["not_found"]) == BATCH - known
    conn.close()
    return answer


def show(label: str, r: dict) -> None:
    print(
        f"  {label:<22} {r['handles_per_s']:>10,.0f} handles/s  {r['requests']:>7,} req  "
        f"p50 {r['p50']:6.2f} ms  p99 {r['p99']:6.2f} ms  errors {r['errors']}  "
        f"answer {r['bytes'] / 1024:.1f} KiB  CPU/request: server {r['server_ms']:.2f} ms, "
        f"client {r['client_ms']:.2f} ms"
        + (f", PostgreSQL {r['db_ms']:.2f} ms" if r["db_ms"] else "")
        + f"; others used {max(0.0, r['others']):.2f} cores",
        flush=True,
    )


def run_backend(name: str, url_for, sizes: list[int], args, tmp: Path) -> dict[int, dict]:
    figures = {}
    for n in sizes:
        instance = tmp / f"{name}-{n}"
        url, cleanup = url_for(n, instance)
        try:
            setup = fill(url, instance, n)
            print(f"{name} N={n:,}: setup (generate + bulk insert + ANALYZE) {setup:.1f} s")
            env = {
                "GENUINE_DATABASE_URL": url,
                "GENUINE_INSTANCE_PATH": str(instance),
                "GENUINE_SECRET_KEY": "bench",
                "GENUINE_RATE_LIMIT_READ": READ_LIMIT,
            }
            proc, port = serve("genuine:create_app()", env, instance / "gunicorn.log")
            try:
                answer = warm_and_check(port, n)
                db = backend_pids(url)
                result = load(port, n, args.clients, args.seconds, args.max_requests, proc.pid, db)
            finally:
                stop(proc)
            figures[n] = result | {"answer": answer, "setup": setup}
            show(f"lookup {name} N={n:,}", result)
        finally:
            cleanup()
    return figures


def floor(answer: bytes, args, tmp: Path) -> dict:
    body = tmp / "floor-body.json"
    body.write_bytes(answer)
    proc, port = serve("floor_app:create_app()", {"GENUINE_FLOOR_BODY": str(body)}, tmp / "fl.log")
    try:
        warm = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        for _ in range(20):
            warm.request("POST", "/api/v1/badges/lookup", b"{}", JSON_HEADERS)
            warm.getresponse().read()
        warm.close()
        return load(port, 10_000, args.clients, args.seconds, args.max_requests, proc.pid)
    finally:
        stop(proc)


def postgres_urls(base: str):
    admin = sa.create_engine(base, connect_args={"connect_timeout": 5})
    with admin.connect():
        pass  # raises when unreachable

    def url_for(n: int, _instance: Path):
        schema = f"bench_lookup_{uuid.uuid4().hex[:8]}"
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))

        def cleanup() -> None:
            with admin.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))

        sep = "&" if "?" in base else "?"
        url = f"{base}{sep}options=-csearch_path%3D{schema}&application_name={APP_NAME}"
        return url, cleanup

    return url_for


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,1000000")
    parser.add_argument("--seconds", type=float, default=15.0, help="per configuration")
    parser.add_argument("--clients", type=int, default=3, help="client processes")
    parser.add_argument("--max-requests", type=int, default=200_000, help="per client")
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "GENUINE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
    )
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the finally blocks run

    print(
        f"machine: {os.cpu_count()} cores shared by gunicorn (2 sync workers) and "
        f"{args.clients} client processes; loopback only; {BATCH} accounts a request, "
        f"{MISS_SHARE:.0%} unknown; {args.seconds:.0f} s per configuration\n"
        f"GENUINE_RATE_LIMIT_READ={READ_LIMIT!r} so the limiter counts but never throttles; "
        "gunicorn sync workers close the connection after each answer, so every request "
        "opens a new loopback TCP connection (floor too)",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="genuine-bench-lookup-") as name:
        tmp = Path(name)
        results: dict[str, dict[int, dict]] = {}

        def sqlite_url(_n: int, instance: Path):
            return f"sqlite:///{instance / 'genuine.sqlite'}", lambda: None

        results["sqlite"] = run_backend("sqlite", sqlite_url, sizes, args, tmp)
        if not args.no_postgres:
            try:
                url_for = postgres_urls(args.postgres)
            except sa.exc.OperationalError as exc:
                print(f"postgresql skipped: unreachable ({str(exc.orig).strip()[:200]})")
            else:
                results["postgresql"] = run_backend("postgresql", url_for, sizes, args, tmp)

        answer = results["sqlite"][sizes[0]]["answer"]
        base = floor(answer, args, tmp)
        show("floor (constant body)", base)
        print("ratios (goal):")
        for name_, by_size in results.items():
            for n, r in by_size.items():
                share = r["handles_per_s"] / base["handles_per_s"]
                by_cpu = (base["server_ms"] + base["client_ms"]) / (
                    r["server_ms"] + r["db_ms"] + r["client_ms"]
                )
                print(
                    f"  {name_} N={n:,}: lookup/floor throughput {share:.2f} (>= 0.5) "
                    f"{'ok' if share >= 0.5 else 'MISSED'} [from CPU per request, which other "
                    f"load disturbs less: {by_cpu:.2f}]; p99 {r['p99']:.1f} ms (< 25) "
                    f"{'ok' if r['p99'] < 25 else 'MISSED'}"
                )
            if len(sizes) > 1:
                small, big = by_size[min(sizes)], by_size[max(sizes)]
                ratio = big["handles_per_s"] / small["handles_per_s"]

                def cost(r: dict) -> float:
                    return r["server_ms"] + r["db_ms"] + r["client_ms"]

                print(
                    f"  {name_} N={max(sizes):,} vs N={min(sizes):,} throughput {ratio:.2f} "
                    f"(goal >= 0.8) {'ok' if ratio >= 0.8 else 'MISSED'} "
                    f"[from CPU per request: {cost(small) / cost(big):.2f}]"
                )


if __name__ == "__main__":
    main()
