"""Benchmark: follow-back ring detection on a SYNTHETIC graph of 10 million follows.

    .venv/bin/python bench/rings.py                      # 10M follows + FRAUDAR baseline
    .venv/bin/python bench/rings.py --follows 1000000 --no-baseline --methods truss,core

Prints generation and detection time, peak memory (ru_maxrss), precision, recall and F1
of ring-member detection against the planted truth, and follows per second.

Baseline: the published FRAUDAR (`pip install rgmining-fraudar`, not a project
dependency; skipped with a message when absent), run with log-weighted degrees on the
follower x followee matrix, and once more on the mutual-follow matrix, and asked for as
many blocks as there are planted rings (an oracle hint in its favour). Predicted members
are the rows and columns of its blocks. It runs in a subprocess per size (10x steps)
with a timeout; the largest size it finishes is compared with ours on the same graph.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from genuine.signals.rings import RingParams, detect_rings
from genuine.synthetic.graphs import generate


def scores(predicted: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    hit = int((predicted & truth).sum())
    p = hit / max(int(predicted.sum()), 1)
    r = hit / max(int(truth.sum()), 1)
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6


def ours(g, method: str = "truss") -> dict[str, float]:
    started = time.perf_counter()
    result = detect_rings(
        g.follower,
        g.followee,
        g.n_nodes,
        followed_at=g.followed_at,
        bios=g.bios,
        created_at=g.created_at,
        params=RingParams(method=method),
    )
    seconds = time.perf_counter() - started
    community_flagged = int((result.member_mask() & (g.community_of >= 0)).sum())
    return {
        "seconds": seconds,
        "follows_per_second": g.n_follows / seconds,
        "rings": len(result.rings),
        "community_members_flagged": community_flagged,
        **scores(result.member_mask(), g.ring_of >= 0),
    }


def fraudar_worker(n_follows: int, seed: int, variant: str) -> None:
    """Run in a subprocess: FRAUDAR on one graph size; prints one JSON line last."""
    from fraudar.export import greedy
    from scipy import sparse

    g = generate(n_follows=n_follows, seed=seed)
    started = time.perf_counter()
    a, b = g.follower, g.followee
    if variant == "mutual":
        key = a.astype(np.int64) * g.n_nodes + b
        back = np.isin(b.astype(np.int64) * g.n_nodes + a, key)
        a, b = a[back], b[back]
    m = sparse.csr_matrix((np.ones(a.size, dtype=int), (a, b)), shape=(g.n_nodes, g.n_nodes))
    blocks = greedy.detectMultiple(m, greedy.logWeightedAveDegree, int(g.ring_of.max()) + 1)
    seconds = time.perf_counter() - started
    predicted = np.zeros(g.n_nodes, dtype=bool)
    for (rows, cols), _score in blocks:
        predicted[list(rows)] = True
        predicted[list(cols)] = True
    print(
        json.dumps(
            {
                "follows": g.n_follows,
                "seconds": seconds,
                "follows_per_second": g.n_follows / seconds,
                **scores(predicted, g.ring_of >= 0),
                "ours": ours(g),
            }
        )
    )


def baseline(sizes: list[int], seed: int, timeout: float, variant: str) -> dict | None:
    try:
        import fraudar  # noqa: F401
    except ImportError:
        print("baseline skipped: rgmining-fraudar is not installed (pip install rgmining-fraudar)")
        return None
    best = None
    for size in sizes:
        cmd = [sys.executable, __file__, "--fraudar-worker", str(size), "--seed", str(seed)]
        cmd += ["--variant", variant]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=True)
        except subprocess.TimeoutExpired:
            print(f"  FRAUDAR ({variant}) on {size:,} follows: not finished in {timeout:.0f} s")
            break
        except subprocess.CalledProcessError as exc:
            print(f"  FRAUDAR ({variant}) on {size:,} follows failed: {exc.stderr.strip()[-300:]}")
            break
        row = json.loads(done.stdout.strip().splitlines()[-1])
        mine = row["ours"]
        print(
            f"  FRAUDAR ({variant}) {row['follows']:>11,} follows: {row['seconds']:8.2f} s "
            f"{row['follows_per_second']:>10,.0f} follows/s  P {row['precision']:.3f} "
            f"R {row['recall']:.3f} F1 {row['f1']:.3f} | ours on the same graph: "
            f"{mine['seconds']:.2f} s {mine['follows_per_second']:,.0f} follows/s "
            f"F1 {mine['f1']:.3f}"
        )
        best = row
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--follows", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--methods", default="truss", help="comma-separated: truss,core")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--baseline-sizes", default="10000,100000,1000000,10000000")
    parser.add_argument("--baseline-timeout", type=float, default=300.0)
    parser.add_argument("--fraudar-worker", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--variant", default="follows", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fraudar_worker:
        fraudar_worker(args.fraudar_worker, args.seed, args.variant)
        return

    started = time.perf_counter()
    g = generate(n_follows=args.follows, seed=args.seed)
    gen_s = time.perf_counter() - started
    print(
        f"synthetic graph: {g.n_follows:,} follows, {g.n_nodes:,} accounts, "
        f"{int(g.ring_of.max()) + 1} planted rings ({int((g.ring_of >= 0).sum()):,} members), "
        f"{int(g.community_of.max()) + 1} genuine communities; generated in {gen_s:.1f} s "
        f"(peak {peak_gb():.2f} GB so far)"
    )
    mine = None  # the first method listed is the one compared with the baseline
    for method in args.methods.split(","):
        result = ours(g, method)
        mine = mine or result
        print(
            f"ours ({method}): {result['seconds']:.2f} s, {result['follows_per_second']:,.0f} "
            f"follows/s, peak {peak_gb():.2f} GB (whole process), {result['rings']} rings, "
            f"P {result['precision']:.3f} R {result['recall']:.3f} F1 {result['f1']:.3f}, "
            f"community members flagged: {result['community_members_flagged']}"
        )
    if args.no_baseline or mine is None:
        return
    sizes = [int(s) for s in args.baseline_sizes.split(",")]
    for variant in ("follows", "mutual"):
        best = baseline(sizes, args.seed, args.baseline_timeout, variant)
        if best:
            speedup = mine["follows_per_second"] / best["follows_per_second"]
            print(
                f"=> ours at {g.n_follows:,} follows vs FRAUDAR ({variant}) at its largest "
                f"finished size {best['follows']:,}: {speedup:,.0f}x the follows per second; "
                f"F1 {best['ours']['f1']:.3f} (ours) vs {best['f1']:.3f} (FRAUDAR) on that graph"
            )


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))
    main()
