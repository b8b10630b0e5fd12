"""Can another model beat the shipped InstaFake (instagram) model? Repeated CV, paired.

Every variant is scored exactly as `genuine model train` scores the shipped one: stratified
5-fold out-of-fold scores for seeds 0..R-1, Platt calibration cross-fitted on them, MCC at 0.5.
The same seeds give the same folds to every variant, so differences are paired; a variant
"beats" the shipped model only when its mean MCC is higher by more than 2 sd of the per-repeat
difference. Asserts nothing; prints one line per variant.

    GENUINE_DATASETS_DIR=../shared/datasets .venv/bin/python bench/classify_variants.py [R]
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from genuine.formats import read
from genuine.model import training
from genuine.model.report import mcc

REPEATS = int(sys.argv[1]) if len(sys.argv) > 1 else 5
SHIPPED = next(s for s in training.SCHEMAS if s.name == "instagram").base


def hgb(**kw):
    from sklearn.ensemble import HistGradientBoostingClassifier

    base = dict(max_iter=40, max_depth=3, learning_rate=0.2, min_samples_leaf=20)
    return lambda: HistGradientBoostingClassifier(early_stopping=False, **(base | kw))


def forest(**kw):
    from sklearn.ensemble import RandomForestClassifier

    return lambda: RandomForestClassifier(n_estimators=500, random_state=0, n_jobs=1, **kw)


def score(model, X: np.ndarray) -> np.ndarray:
    if hasattr(model, "decision_function"):
        return model.decision_function(X)
    p = np.clip(model.predict_proba(X)[:, 1], 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


def repeated(make, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    from sklearn.model_selection import StratifiedKFold

    out = []
    for r in range(REPEATS):
        s = np.empty(len(y))
        folds = StratifiedKFold(training.K_FOLDS, shuffle=True, random_state=training.SEED + r)
        for tr, te in folds.split(X, y):
            s[te] = score(make().fit(X[tr], y[tr]), X[te])
        p = training.cross_fit_calibrated(s, y, "platt")
        out.append(mcc(y, (p >= 0.5).astype(int)))
    return np.array(out)


def main() -> None:
    data_dir = Path(os.environ.get("GENUINE_DATASETS_DIR", "../shared/datasets"))
    d = training.load_dataset(data_dir, "instafake", read)
    y = d.y.astype(int)
    base = d.features.columns(SHIPPED)
    no_ratio = d.features.columns(
        [f for f in SHIPPED if f not in ("follow_ratio", "handle_digit_share", "no_posts")]
    )
    r = d.features.raw
    lf, lg, lp = np.log1p(r["followers"]), np.log1p(r["following"]), np.log1p(r["posts"])
    no_bio, blank = r["bio_length"] == 0, (r["has_avatar"] == 0) & (r["posts"] == 0)
    extra = np.column_stack([base, lf - lp, lg - lp, no_bio, blank])
    variants = {
        "shipped: HGB 40x depth 3, lr 0.2": (hgb(), base),
        "HGB without ratio/share/no-posts": (hgb(), no_ratio),
        "HGB 200x depth 3, lr 0.05": (hgb(max_iter=200, learning_rate=0.05), base),
        "HGB 100x depth 4, lr 0.1, leaf 10": (
            hgb(max_iter=100, max_depth=4, learning_rate=0.1, min_samples_leaf=10),
            base,
        ),
        "HGB 40x depth 3, lr 0.2, l2 1.0": (hgb(l2_regularization=1.0), base),
        "random forest 500, unlimited depth": (forest(), base),
        "random forest 500, depth 8": (forest(max_depth=8), base),
        "random forest 500, leaf 3": (forest(min_samples_leaf=3), base),
        "random forest 500, leaf 5": (forest(min_samples_leaf=5), base),
        "HGB + extra ratios (followers/posts, following/posts, no bio, blank)": (hgb(), extra),
        "random forest 500, leaf 3 + extra ratios": (forest(min_samples_leaf=3), extra),
    }
    print(f"InstaFake: {len(y)} rows, {int(y.sum())} fake; {REPEATS}x5-fold CV, Platt, MCC @0.5")
    print("| variant | MCC mean ± sd | diff vs shipped ± sd | beats (> 2 sd) |")
    print("| --- | --- | --- | --- |")
    ref = None
    with threadpool_limits(1):
        for name, (make, X) in variants.items():
            m = repeated(make, X, y)
            ref = m if ref is None else ref
            diff = m - ref
            sd = diff.std(ddof=1)
            beats = bool(diff.mean() > 2 * sd) if sd > 0 else False
            print(
                f"| {name} | {m.mean():.4f} ± {m.std(ddof=1):.4f} | "
                f"{diff.mean():+.4f} ± {sd:.4f} | {'yes' if beats else 'no'} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
