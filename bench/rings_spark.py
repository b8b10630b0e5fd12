"""Ring detection on Spark (local mode) against the in-process engine, on synthetic graphs.

For each size: the graph is written straight to Parquet (bench/rings_spark_data.py), then
`genuine rings --engine spark --master local[N]` runs on it as a subprocess whose whole
process tree (Python driver + the JVM, which holds driver and executors in local mode) is
sampled for memory every half second. On sizes up to --inprocess-max the in-process engine
runs on the same graph in the same run (also a subprocess, same sampling) and both ring
sets are compared member for member; precision and recall are against the planted rings.

    python bench/rings_spark.py                       # 10M follows, local[2]
    python bench/rings_spark.py --follows 10000000,100000000
    python bench/rings_spark.py --follows 200000 --keep /tmp/r   # quick look
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "server")]

from rings_spark_data import CHUNK, write_synthetic  # noqa: E402

GENUINE = [sys.executable, "-m", "genuine"]


def _tree_rss(pid: int) -> int:
    """Resident bytes of `pid` and all its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo.extend(children.get(p, []))
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


def measured(cmd: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Run `cmd`; wall seconds and the peak resident memory of its process tree."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss(proc.pid))
        time.sleep(0.5)
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed with exit status {proc.returncode}")
    return time.perf_counter() - start, peak


INPROCESS = """
import json, sys
import numpy as np
from genuine.signals.rings import detect_rings
from genuine.synthetic.graphs import generate
n, seed, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
g = generate(n_follows=n, seed=seed)
import time; t = time.perf_counter()
labels = np.char.add("x:", np.arange(g.n_nodes).astype(str))
r = detect_rings(g.follower, g.followee, g.n_nodes, followed_at=g.followed_at,
                 bios=g.bios, created_at=g.created_at, labels=labels)
json.dump({"seconds": time.perf_counter() - t,
           "rings": [{"id": x.id, "members": x.members.tolist()} for x in r.rings]}, open(out, "w"))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--follows", default="10000000", help="comma-separated sizes")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--driver-memory", default="8g")
    ap.add_argument("--inprocess-max", type=int, default=10_000_000)
    ap.add_argument("--keep", type=Path, help="folder for the Parquet and JSON (kept)")
    args = ap.parse_args()
    env = {**os.environ, "PYTHONPATH": str(HERE.parent / "server")}
    env["GENUINE_SPARK_DRIVER_MEMORY"] = args.driver_memory
    base = args.keep or Path(tempfile.mkdtemp(prefix="rings-spark-"))
    print(f"master {args.master}, driver memory {args.driver_memory}, {os.cpu_count()} cores")
    for n in (int(x) for x in args.follows.split(",")):
        folder = base / f"g{n}"
        t = time.perf_counter()
        truth = write_synthetic(folder, n, args.seed)
        print(
            f"\n{n:,} follows: {truth['accounts']:,} accounts, {truth['rings']} planted rings; "
            f"Parquet {truth['bytes'] / 1e6:,.0f} MB in {time.perf_counter() - t:.0f} s"
        )
        out = base / f"spark{n}.json"
        cmd = [*GENUINE, "rings", "--engine", "spark", "--master", args.master,
               "--input", str(folder), "--output", str(out)]  # fmt: skip
        wall, peak = measured(cmd, env)
        rings = json.loads(out.read_text())["rings"]
        found = {int(m) for r in rings for m in r["members"]}
        planted = {int(m) for m in truth["ring_members"]}
        hit = len(found & planted)
        print(
            f"  spark      {wall:8.1f} s wall  peak RSS {peak / 2**30:5.2f} GiB  "
            f"{n / wall:10,.0f} follows/s  {len(rings)} rings, precision "
            f"{hit / max(len(found), 1):.3f}, recall {hit / max(len(planted), 1):.3f}"
        )
        if n > min(args.inprocess_max, CHUNK):  # in-process: one generated graph
            continue
        ref = base / f"inprocess{n}.json"
        cmd = [sys.executable, "-c", INPROCESS, str(n), str(args.seed * 1000), str(ref)]
        wall_i, peak_i = measured(cmd, env)
        mine = json.loads(ref.read_text())
        same = sorted((r["id"], sorted(r["members"])) for r in mine["rings"]) == sorted(
            (r["id"], sorted(int(m) for m in r["members"])) for r in rings
        )
        print(f"  in-process {wall_i:8.1f} s wall  peak RSS {peak_i / 2**30:5.2f} GiB  "
              f"(detection alone {mine['seconds']:.1f} s, {n / mine['seconds']:,.0f} follows/s; "
              f"wall includes generating the graph)  identical rings: {same}")  # fmt: skip
        print(f"  spark / in-process (detection): {wall / mine['seconds']:.1f}x")


if __name__ == "__main__":
    main()
