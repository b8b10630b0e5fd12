"""Follower classifier throughput: accounts scored per second once features are arrays.

Prints figures, asserts nothing. Baselines in the same run: scikit-learn's predict_proba on
the same kind and size of model (fitted here on synthetic rows), and a plain-Python loop over
the shipped artefact's own trees.

    .venv/bin/python bench/classify.py [N]
"""

from __future__ import annotations

import sys
import time

import numpy as np

from genuine.signals.classifier import load

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000


def rate(n: int, fn) -> float:
    fn()  # warm up
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return n / best


def python_loop(model, X: np.ndarray) -> list[float]:
    p = model.params
    feat, thr, val = p["feature"].tolist(), p["threshold"].tolist(), p["value"].tolist()
    n_inner = len(feat[0])
    out = []
    for row in X.tolist():
        s = p["base"]
        for f, t, v in zip(feat, thr, val, strict=True):
            i = 0
            while i < n_inner:
                i = 2 * i + (2 if row[f[i]] > t[i] else 1)
            s += v[i - n_inner]
        out.append(1.0 / (1.0 + np.exp(-(model.calibration["a"] * s + model.calibration["b"]))))
    return out


def main() -> None:
    clf = load()
    rng = np.random.default_rng(0)
    print(f"artefact {clf.version}; {N:,} accounts per run, best of 3")
    print(f"{'model':<10} {'family':<9} {'numpy/s':>14} {'sklearn/s':>14} {'python loop/s':>14}")
    for model in clf.models:
        k = len(model.features)
        ref = np.stack([model.reference["genuine"], model.reference["fake"]])
        X = ref[rng.integers(0, 2, N)] * rng.uniform(0.5, 1.5, (N, k))
        ours = rate(N, lambda X=X, model=model: model.probability(X))
        small = X[:20_000]
        loop = (
            rate(len(small), lambda s=small, m=model: python_loop(m, s))
            if model.family == "trees"
            else float("nan")
        )
        sk = float("nan")
        try:
            from genuine.model import training

            y = (rng.random(5000) < 0.5).astype(int)
            Xt = ref[y] * rng.uniform(0.5, 1.5, (5000, k))
            est = training.make_model(model.family).fit(Xt, y)
            sk = rate(N, lambda X=X, est=est: est.predict_proba(X))
        except ImportError:
            pass
        print(f"{model.name:<10} {model.family:<9} {ours:>14,.0f} {sk:>14,.0f} {loop:>14,.0f}")


if __name__ == "__main__":
    main()
