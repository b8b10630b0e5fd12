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
Cards and bodies: bench/lookup_data.py. With `--kinds lookup,ranges` the private-mode
`POST /badges/ranges` is driven the same way (the same pages' key prefixes, compact
entries) against a floor answering a captured ranges answer. After each served run the
in-process CPU per request of the app and of the floor (bench/lookup_cpu.py) is measured
on the same database: steadier than throughput on shared cores.
"""

from __future__ import annotations

import argparse
import array
import ctypes
import http.client
import json
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

import lookup_cpu
from lookup_data import BATCH, MISS_SHARE, READ_LIMIT, bodies, fill, range_bodies
from lookup_meter import APP_NAME, backend_pids, db_meter, machine_busy, server_cpu

BENCH = Path(__file__).resolve().parent
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
JSON_HEADERS = {"Content-Type": "application/json"}


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


def requests_for(kind, n: int, seed: int) -> list[tuple[str, str, bytes | None]]:
    """(method, path, body) of the requests a client cycles through: "lookup", "ranges", or
    `kind(n, seed)` for a caller's own (bench/labeler.py's queryLabels)."""
    if callable(kind):
        return kind(n, seed)
    made = bodies(n, seed) if kind == "lookup" else range_bodies(n, seed)
    return [("POST", lookup_cpu.PATHS[kind], body) for body in made]


def client(port, n, seed, start_at, stop_at, cap, kind) -> tuple:
    """One connection: requests back to back from start_at until stop_at or `cap` requests."""
    requests = requests_for(kind, n, seed)
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


def load(port: int, n: int, args, kind, master: int, db=frozenset()) -> dict:
    """Drive the server; `db` are the database server's pids, whose CPU is counted apart."""
    cpu_before, busy_before = server_cpu(master), machine_busy()
    db_before = server_cpu(-1, db)
    clients = args.clients
    start_at = time.monotonic() + 1.0 + 0.2 * clients  # time for the clients to build bodies
    stop_at = start_at + args.seconds
    jobs = [(port, n, 1000 + c, start_at, stop_at, args.max_requests, kind) for c in range(clients)]
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


def warm_and_check(port: int, n: int, kind: str) -> bytes:
    """A few requests before timing; the answer must hold exactly the known handles (lookup)
    or a bucket for each prefix sent (ranges)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    answer = b""
    for method, path, payload in requests_for(kind, n, 7)[:20]:
        conn.request(method, path, payload, JSON_HEADERS)
        response = conn.getresponse()
        answer = response.read()
        assert response.status == 200, answer[:300]
        got, sent = json.loads(answer), json.loads(payload)
        if kind == "ranges":
            assert sorted(got["buckets"]) == sorted(sent["prefixes"])
            continue
        known = sum(1 for a in sent["accounts"] if not a["handle"].startswith("miss"))
        assert len(got["found"]) == known and len(got["not_found"]) == BATCH - known
    conn.close()
    return answer


def show(label: str, r: dict, unit: str = "handles") -> None:
    """One load's line; `unit` "handles" (lookups) or "requests" (bench/labeler.py)."""
    rate = (
        f"{r['handles_per_s']:>10,.0f} handles/s"
        if unit == "handles"
        else (f"{r['requests_per_s']:>7,.0f} req/s")
    )
    print(
        f"  {label:<22} {rate}  {r['requests']:>7,} req  "
        f"p50 {r['p50']:6.2f} ms  p99 {r['p99']:6.2f} ms  errors {r['errors']}  "
        f"answer {r['bytes'] / 1024:.1f} KiB  CPU/request: server {r['server_ms']:.2f} ms, "
        f"client {r['client_ms']:.2f} ms"
        + (f", PostgreSQL {r['db_ms']:.2f} ms" if r["db_ms"] else "")
        + f"; others used {max(0.0, r['others']):.2f} cores",
        flush=True,
    )


def run_backend(name: str, url_for, sizes: list[int], args, tmp: Path) -> dict[tuple, dict]:
    figures = {}
    for n in sizes:
        instance = tmp / f"{name}-{n}"
        url, cleanup = url_for(n, instance)
        try:
            setup = fill(url, instance, n)
            print(f"{name} N={n:,}: setup (generate, bulk insert, ANALYZE or VACUUM) {setup:.1f} s")
            env = {
                "GENUINE_DATABASE_URL": url,
                "GENUINE_INSTANCE_PATH": str(instance),
                "GENUINE_SECRET_KEY": "bench",
                "GENUINE_RATE_LIMIT_READ": READ_LIMIT,
            }
            for kind in args.kinds:
                proc, port = serve("genuine:create_app()", env, instance / "gunicorn.log")
                try:
                    answer = warm_and_check(port, n, kind)
                    result = load(port, n, args, kind, proc.pid, backend_pids(url))
                finally:
                    stop(proc)
                figures[n, kind] = result | {"answer": answer, "setup": setup}
                show(f"{kind} {name} N={n:,}", result)
            cpu = lookup_cpu.measure(url, instance, n, READ_LIMIT, args.kinds, db_meter(url))
            lookup_cpu.show(f"{name} N={n:,} in-process CPU µs/request, best of 5", cpu)
            for kind in args.kinds:
                figures[n, kind]["cpu"] = (cpu[kind], cpu[f"{kind} floor"])
        finally:
            cleanup()
    return figures


def floor(answers: dict[str, bytes], args, tmp: Path) -> dict[str, dict]:
    env = {}
    for kind, answer in answers.items():
        body = tmp / f"floor-{kind}.json"
        body.write_bytes(answer)
        env[lookup_cpu.FLOOR_BODY[kind]] = str(body)
    proc, port = serve("floor_app:create_app()", env, tmp / "fl.log")
    try:
        warm = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        for _ in range(20):
            warm.request("POST", "/api/v1/badges/lookup", b"{}", JSON_HEADERS)
            warm.getresponse().read()
        warm.close()
        return {kind: load(port, 10_000, args, kind, proc.pid) for kind in answers}
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


def add_postgres_options(parser: argparse.ArgumentParser) -> None:
    """--postgres URL (default GENUINE_TEST_POSTGRES_URL) and --no-postgres, for every bench."""
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "GENUINE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
    )
    parser.add_argument("--no-postgres", action="store_true")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,1000000")
    parser.add_argument("--seconds", type=float, default=15.0, help="per configuration")
    parser.add_argument("--clients", type=int, default=3, help="client processes")
    parser.add_argument("--max-requests", type=int, default=200_000, help="per client")
    add_postgres_options(parser)
    parser.add_argument("--kinds", default="lookup", help="lookup and/or ranges, comma-separated")
    args = parser.parse_args()
    args.kinds = args.kinds.split(",")
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
        results: dict[str, dict[tuple, dict]] = {}

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

        answers = {kind: results["sqlite"][sizes[0], kind]["answer"] for kind in args.kinds}
        bases = floor(answers, args, tmp)
        for kind, base in bases.items():
            show(f"{kind} floor (constant)", base)
        report(results, bases, sizes, args.kinds)


def report(results: dict, bases: dict, sizes: list[int], kinds: list[str]) -> None:
    def cost(r: dict) -> float:
        return r["server_ms"] + r["db_ms"] + r["client_ms"]

    print("ratios (goal):")
    for name, figures in results.items():
        for kind in kinds:
            base = bases[kind]
            for n in sizes:
                r = figures[n, kind]
                share = r["handles_per_s"] / base["handles_per_s"]
                mine, floor_cpu = r["cpu"]
                print(
                    f"  {name} {kind} N={n:,}: {kind}/floor throughput {share:.2f} (>= 0.5) "
                    f"{'ok' if share >= 0.5 else 'MISSED'} [from CPU per request under "
                    f"gunicorn: {cost(base) / cost(r):.2f}; in-process: "
                    f"{floor_cpu / mine:.2f}]; p99 {r['p99']:.1f} ms (< 25) "
                    f"{'ok' if r['p99'] < 25 else 'MISSED'}"
                )
            if len(sizes) > 1:
                small, big = figures[min(sizes), kind], figures[max(sizes), kind]
                ratio = big["handles_per_s"] / small["handles_per_s"]
                print(
                    f"  {name} {kind} N={max(sizes):,} vs N={min(sizes):,} throughput "
                    f"{ratio:.2f} (goal >= 0.8) {'ok' if ratio >= 0.8 else 'MISSED'} "
                    f"[from CPU per request under gunicorn: {cost(small) / cost(big):.2f}; "
                    f"in-process: {small['cpu'][0] / big['cpu'][0]:.2f}]"
                )


if __name__ == "__main__":
    main()
