"""Cross-source check of the follower classifier: train on one dataset, test on the other.

cresci-2015 (Twitter) and InstaFake (Instagram) share only a few profile fields: followers,
following, posts, profile picture, bio length, handle length and digits, and private/protected.
For each direction this fits the shipped model family (and logistic regression for
comparison) on all of one source over those shared features, calibrates it (Platt, on the
training source's own out-of-fold scores, exactly as `genuine model train` does), then scores
every row of the other source, which the fit never saw. It prints MCC at the shipped
threshold 0.5, AUC, Brier, and a reliability table (predicted against observed fake share per
probability bin) for each tested source. Then, for the shipped models, the same reliability
per source on held-out (out-of-fold) probabilities. Asserts nothing; the figures go on
site/docs/methodology/follower-purchase-risk.md.

    GENUINE_DATASETS_DIR=../shared/datasets .venv/bin/python bench/classify_cross.py \\
        [--bins 5] [--within-bins 10]
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from genuine.formats import read
from genuine.model import cross_source, training
from genuine.model.report import metrics, reliability


def within_source(data: dict[str, training.Data], bins: int) -> None:
    for r in cross_source.held_out(data):
        met = metrics(r["y"], r["p"])
        print(
            f"\nshipped {r['model']} model on {r['source']} (out-of-fold, seed 0): "
            f"MCC {met['mcc']:.3f}, AUC {met['auc']:.3f}, Brier {met['brier']:.4f}"
        )
        print_reliability(reliability(r["y"], r["p"], bins))


def print_reliability(table: list[dict]) -> None:
    print("| bin | mean predicted | observed fake share | accounts |")
    print("| --- | --- | --- | --- |")
    for row in table:
        lo, hi = row["bin"]
        pred = "–" if row["mean_predicted"] is None else f"{row['mean_predicted']:.3f}"
        obs = "–" if row["observed_rate"] is None else f"{row['observed_rate']:.3f}"
        print(f"| {lo:.1f}–{hi:.1f} | {pred} | {obs} | {row['count']:,} |")


def one_line_rule(d: training.Data) -> float:
    """MCC of the issue's one-line rule: following > 8 x followers and <= 10 posts, or no
    picture and <= 10 posts (chosen on InstaFake; shown as a floor on both sources)."""
    r = d.features.raw
    few = r["posts"] <= 10
    pred = (((r["following"] > 8 * r["followers"]) & few) | ((r["has_avatar"] == 0) & few)).astype(
        int
    )
    return training.mcc(d.y.astype(int), pred)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=os.environ.get("GENUINE_DATASETS_DIR"))
    ap.add_argument("--bins", type=int, default=5, help="cross-source reliability bins")
    ap.add_argument("--within-bins", type=int, default=10, help="within-source reliability bins")
    args = ap.parse_args()
    if args.data is None:
        ap.error("--data or GENUINE_DATASETS_DIR is required")
    data = {n: training.load_dataset(args.data, n, read) for n in ("cresci-2015", "instafake")}
    for n, d in data.items():
        print(
            f"{n}: {len(d.y)} rows, {int(d.y.sum())} fake ({d.y.mean():.1%}); "
            f"private share {np.nanmean(d.features.raw['is_private']):.3f}; "
            f"one-line rule MCC {one_line_rule(d):.3f}"
        )
    print()
    print(
        "| train → test | features | family | MCC @0.5 | MCC raw @0.5 "
        "| MCC best thr. (optimistic) | AUC | Brier | goal |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    tables = []
    with threadpool_limits(1):
        for a, b in (("cresci-2015", "instafake"), ("instafake", "cresci-2015")):
            feature_sets = (("core 9", training.CORE), ("core 9 + private", cross_source.SHARED))
            for label, feats in feature_sets:
                for family in ("trees", "logistic"):
                    r = cross_source.cross(data[a], data[b], feats, family)
                    met = r["goal_met"]
                    print(
                        f"| {a} → {b} | {label} | {family} | {r['mcc']:.3f} | "
                        f"{r['raw_mcc']:.3f} | {r['best_mcc']:.3f} | "
                        f"{r['auc']:.3f} | {r['brier']:.3f} | "
                        f"{'met' if met else 'missed'} |"
                    )
                    if family == "trees" and label == "core 9":
                        tables.append((a, b, reliability(r["y"], r["p"], args.bins)))
    for a, b, table in tables:
        print(f"\nreliability, trees on core 9, {a} → {b}")
        print_reliability(table)
    with threadpool_limits(1):
        within_source(data, args.within_bins)


if __name__ == "__main__":
    main()
