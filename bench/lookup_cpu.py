"""CPU per request in-process, the lookup app against the floor app in the same process.

Wall-clock throughput on this shared 2-core machine moves by ±50% with other sessions'
load; the CPU one request costs, measured inside one process, moves far less. Two
measures, both calling each app's WSGI callable directly (no gunicorn, no sockets), on
the same database and bodies as bench/lookup.py:

- `process_time`: this process's CPU time over many requests, best of 5 passes,
  passes of the apps alternating so load changes hit them alike;
- `--callgrind`: instructions per request counted by valgrind's callgrind (the same count
  from run to run whatever the load): the script runs itself under valgrind with
  `--dump-before=sync` and calls os.sync() between phases, so each dump holds one phase.

    PYTHONPATH=../server ../.venv/bin/python lookup_cpu.py --cards 10000 [--callgrind]

bench/lookup.py runs the process_time measure for each configuration it serves.
"""

from __future__ import annotations

import argparse
import glob
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from werkzeug.test import EnvironBuilder

PATHS = {"lookup": "/api/v1/badges/lookup", "ranges": "/api/v1/badges/ranges"}
FLOOR_BODY = {"lookup": "GENUINE_FLOOR_BODY", "ranges": "GENUINE_FLOOR_RANGES_BODY"}


def environs(path: str, payloads: list[bytes]) -> list[dict]:
    made = []
    for body in payloads:
        builder = EnvironBuilder(
            path=path, method="POST", data=body, content_type="application/json"
        )
        made.append(builder.get_environ())
    return made


def call(app, environ: dict, body: bytes) -> bytes:
    environ = dict(environ)
    environ["wsgi.input"] = io.BytesIO(body)
    status = []
    chunks = app(environ, lambda s, h, e=None: status.append(s))
    answer = b"".join(chunks)
    if hasattr(chunks, "close"):
        chunks.close()
    if not status[0].startswith("200"):
        raise RuntimeError(f"{environ['PATH_INFO']} answered {status[0]}: {answer[:300]!r}")
    return answer


def run(app, prepared: list[tuple[dict, bytes]], count: int) -> None:
    for i in range(count):
        environ, body = prepared[i % len(prepared)]
        call(app, environ, body)


def cpu_per_request(
    apps: dict[str, tuple], seconds: float, passes: int = 5, extra_cpu=None
) -> dict[str, float]:
    """CPU µs per request of each named (app, prepared) pair, best of `passes` alternating,
    each pass about `seconds` of CPU; `extra_cpu()` adds CPU spent elsewhere (PostgreSQL)."""
    extra = extra_cpu or (lambda: 0.0)
    best, counts = dict.fromkeys(apps, float("inf")), {}
    for name, (app, prepared) in apps.items():
        run(app, prepared, 10)  # warm: imports, statement caches, pools
        started = time.process_time()
        run(app, prepared, 5)
        counts[name] = max(5, int(seconds / max((time.process_time() - started) / 5, 1e-6)))
    for _ in range(passes):
        for name, (app, prepared) in apps.items():
            count = counts[name]
            meter = (lambda: 0.0) if name.endswith(" floor") else extra  # no database
            extra_before = meter()  # before the clock starts: reading /proc costs CPU here
            started = time.process_time()
            run(app, prepared, count)
            used = time.process_time() - started + meter() - extra_before
            best[name] = min(best[name], used / count * 1e6)
    return best


def build(url: str, instance: Path, n: int, read_limit: str, kinds: list[str]) -> dict:
    """The real app and the floor app for each kind, with prepared requests."""
    from floor_app import create_app as floor_app
    from genuine import create_app
    from lookup_data import bodies, range_bodies

    config = {
        "DATABASE_URL": url,
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": "bench",
        "RATE_LIMIT_READ": read_limit,
    }
    app = create_app(config)
    made = {}
    for kind in kinds:
        payloads = bodies(n, 1000) if kind == "lookup" else range_bodies(n, 1000)
        prepared = list(zip(environs(PATHS[kind], payloads), payloads, strict=True))
        answer = call(app, *prepared[0])
        body = instance / f"floor-{kind}.json"
        body.write_bytes(answer)
        os.environ[FLOOR_BODY[kind]] = str(body)
        made[kind] = (app, prepared)
        made[f"{kind} floor"] = (None, prepared)
    floor = floor_app()
    return {name: (app or floor, prepared) for name, (app, prepared) in made.items()}


def measure(url, instance: Path, n: int, read_limit: str, kinds: list[str], extra_cpu=None):
    """In-process CPU µs per request: {kind: …, "<kind> floor": …}."""
    from genuine.db import get_db

    apps = build(url, instance, n, read_limit, kinds)
    try:
        return cpu_per_request(apps, 1.0, extra_cpu=extra_cpu)
    finally:  # close its connections: the caller drops the PostgreSQL schema next
        get_db(apps[kinds[0]][0]).engine.dispose()


# --- callgrind ---------------------------------------------------------------------------


def _phases(apps: dict, count: int) -> None:
    """Under valgrind: warm everything, then one os.sync() (a callgrind dump) per phase."""
    for app, prepared in apps.values():
        run(app, prepared, 20)
    os.sync()
    for app, prepared in apps.values():
        run(app, prepared, count)
        os.sync()


def callgrind(url: str, n: int, read_limit: str, kinds: list[str], count: int, out: Path):
    """Instructions per request for each app, from one valgrind run of this script."""
    script = Path(__file__).resolve()
    cmd = [
        "valgrind",
        "--tool=callgrind",
        "--dump-before=sync",
        "--dump-instr=no",
        f"--callgrind-out-file={out}/callgrind.out.%p",
        sys.executable,
        str(script),
        "--phases",
        "--url",
        url,
        "--cards",
        str(n),
        "--kinds",
        ",".join(kinds),
        "--requests",
        str(count),
        "--read-limit",
        read_limit,
    ]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    totals = []
    for name in sorted(glob.glob(f"{out}/callgrind.out.*"), key=_dump_order):
        text = Path(name).read_text(errors="replace")
        found = re.search(r"^(?:totals|summary): (\d+)", text, re.M)
        totals.append(int(found.group(1)) if found else 0)
    # Dumps: start-up + warm-up, then one per app in order, then what ran after the last sync.
    names = [k for kind in kinds for k in (kind, f"{kind} floor")]
    measured = totals[1 : 1 + len(names)]
    if len(measured) != len(names):
        raise RuntimeError(f"expected {len(names) + 2} callgrind dumps, found {len(totals)}")
    return {name: total / count for name, total in zip(names, measured, strict=True)}


def _dump_order(name: str) -> int:
    """callgrind.out.<pid>.<n> for the n-th dump; the dump at exit may have no number."""
    part = name.rpartition(".")[2]
    return int(part) if name.count(".") >= 3 and part.isdigit() else 1 << 30


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200, help="per app under callgrind")
    parser.add_argument("--kinds", default="lookup,ranges")
    parser.add_argument("--callgrind", action="store_true", help="count instructions too")
    parser.add_argument("--url", help="a filled database (else a SQLite file is filled)")
    parser.add_argument("--read-limit", default="100000000 per minute")
    parser.add_argument("--phases", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    kinds = args.kinds.split(",")
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from lookup_data import fill

    with tempfile.TemporaryDirectory(prefix="genuine-bench-cpu-") as name:
        instance = Path(name)
        url = args.url
        if url is None:
            url = f"sqlite:///{instance / 'genuine.sqlite'}"
            print(f"sqlite N={args.cards:,}: setup {fill(url, instance, args.cards):.1f} s")
        if args.phases:
            _phases(build(url, instance, args.cards, args.read_limit, kinds), args.requests)
            return
        figures = measure(url, instance, args.cards, args.read_limit, kinds)
        show("CPU µs/request (process_time, best of 5)", figures)
        if args.callgrind:
            count = args.requests
            counted = callgrind(url, args.cards, args.read_limit, kinds, count, instance)
            show(f"instructions/request (callgrind, {count} requests)", counted, unit="")
        print(json.dumps({"cards": args.cards, "cpu_us": figures}))


def show(title: str, figures: dict[str, float], unit: str = " µs") -> None:
    print(f"  {title}:")
    for kind in [k for k in figures if not k.endswith(" floor")]:
        mine, floor = figures[kind], figures[f"{kind} floor"]
        print(
            f"    {kind:<8} {mine:>12,.0f}{unit}  floor {floor:>12,.0f}{unit}  "
            f"floor/{kind} {floor / mine:.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
