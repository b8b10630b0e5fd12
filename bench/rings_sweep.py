"""Sweep: follow-back ring detection across ring shapes and platforms, on SYNTHETIC graphs.

    .venv/bin/python bench/rings_sweep.py               # the small grid (a few minutes)
    .venv/bin/python bench/rings_sweep.py --full        # the issue-12 grid (long)

Each cell is one graph from `genuine.synthetic.graphs.generate` with every ring of one
size and one internal mutual density, one follow-back share of strangers, one baseline
reciprocity, camouflage on or off, and genuine communities as dense as 0.6-0.8 (their
members are mutual with each other, so their in-group reciprocity is ~100%). Printed per
cell: precision and recall of ring membership against the planted truth, and the share
of community members flagged (community FP). Goals (issue 12) on cells with follow-back
>= 0.5 and size >= 10: precision >= 0.95, recall >= 0.95, community FP <= 1%.
"""

from __future__ import annotations

import argparse
import itertools
import time

from genuine.signals.rings import detect_rings
from genuine.synthetic.graphs import generate

SMALL = {
    "size": (10, 50, 200),
    "density": (0.05, 0.15, 0.4),
    "follow_back": (0.5, 0.9),
    "reciprocity": (0.05, 0.3),
    "camouflage": (1.0,),
}
FULL = {
    "size": (10, 20, 50, 100, 200, 500),
    "density": (0.05, 0.1, 0.2, 0.3, 0.5),
    "follow_back": (0.4, 0.5, 0.7, 0.9, 1.0),
    "reciprocity": (0.05, 0.15, 0.3),
    "camouflage": (0.0, 1.0),
}


def cell(size, density, follow_back, reciprocity, camouflage, n_follows, seed):
    g = generate(
        n_follows=n_follows,
        follows_per_ring=max(n_follows // 6, 1),
        ring_size=(size, size),
        ring_density=(density, density),
        ring_follow_back=follow_back,
        background_reciprocity=reciprocity,
        camouflage=camouflage,
        community_density=(0.6, 0.8),
        seed=seed,
    )
    result = detect_rings(g.follower, g.followee, g.n_nodes, followed_at=g.followed_at,
                          bios=g.bios, created_at=g.created_at)  # fmt: skip
    flagged = result.ring_index >= 0
    truth = g.ring_of >= 0
    community = g.community_of >= 0
    hit = int((flagged & truth).sum())
    return {
        "precision": hit / max(int(flagged.sum()), 1) if flagged.any() else float("nan"),
        "recall": hit / max(int(truth.sum()), 1),
        "community_fp": int((flagged & community).sum()) / max(int(community.sum()), 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--full", action="store_true", help="the full issue-12 grid")
    ap.add_argument("--follows", type=int, default=300_000, help="follows per cell's graph")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    grid = FULL if args.full else SMALL
    print("size density follow_back reciprocity camouflage | precision recall community_fp | goal")
    misses = total = 0
    start = time.perf_counter()
    for size, dens, fb, rec, cam in itertools.product(*grid.values()):
        m = cell(size, dens, fb, rec, cam, args.follows, args.seed)
        judged = fb >= 0.5 and size >= 10
        ok = m["precision"] >= 0.95 and m["recall"] >= 0.95 and m["community_fp"] <= 0.01
        total += judged
        misses += judged and not ok
        mark = ("met" if ok else "MISSED") if judged else "-"
        shape = f"{size:4d} {dens:7.2f} {fb:11.2f} {rec:11.2f} {cam:10.1f}"
        got = f"{m['precision']:9.3f} {m['recall']:6.3f} {m['community_fp']:12.4f}"
        print(f"{shape} | {got} | {mark}")
    print(f"goal missed on {misses} of {total} judged cells ({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
