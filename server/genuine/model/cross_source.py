"""Cross-source and per-source checks of the follower classifier (needs scikit-learn).

`cross` trains on all of one dataset over the fields both sources share and scores every row of
the other, which the fit never saw; `held_out` recomputes the shipped models' out-of-fold
calibrated probabilities (seed 0, as `genuine model train` reports them) split by source.
bench/classify_cross.py prints both; the methodology page quotes them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from genuine.model import training
from genuine.model.report import mcc, metrics

# The fields cresci-2015 and InstaFake both have: the core features, plus private/protected.
SHARED = (*training.CORE, "is_private")
GOAL_MCC, GOAL_AUC = 0.60, 0.93


def best_threshold_mcc(y: np.ndarray, p: np.ndarray) -> float:
    """MCC at the threshold that is best on the test labels themselves: optimistic, an upper
    bound that says whether a miss is in the ranking or only in where 0.5 falls."""
    return max(mcc(y, (p >= t).astype(int)) for t in np.unique(p))


def cross(
    train: training.Data, test: training.Data, features: tuple[str, ...], family: str
) -> dict[str, Any]:
    """Fit on all of `train`, Platt-calibrate on its own out-of-fold scores, score `test`."""
    y_tr, y_te = train.y.astype(int), test.y.astype(int)
    X_tr = train.features.columns(features)
    scores = training.oof_scores(X_tr, y_tr, family, training.SEED)
    cal = training.fit_calibrator(scores, y_tr, "platt")
    model = training.make_model(family).fit(X_tr, y_tr)
    raw = model.decision_function(test.features.columns(features))
    p = training.apply_calibrator(cal, raw)
    out = metrics(y_te, p)
    out["raw_mcc"] = metrics(y_te, 1 / (1 + np.exp(-raw)))["mcc"]  # before calibration
    out["best_mcc"] = round(best_threshold_mcc(y_te, p), 4)
    out["goal_met"] = out["mcc"] >= GOAL_MCC and out["auc"] >= GOAL_AUC
    return out | {"p": p, "y": y_te}


def held_out(data: dict[str, training.Data], model_path: str | None = None) -> list[dict[str, Any]]:
    """Per shipped model and source: labels and out-of-fold calibrated probabilities (seed 0)."""
    from genuine.signals.classifier import load

    shipped = {m.name: m for m in load(model_path).models}
    out = []
    for schema in training.SCHEMAS:
        if schema.name not in shipped or not all(n in data for n in schema.datasets):
            continue
        model = shipped[schema.name]
        d = training._concat([data[n] for n in schema.datasets])
        y = d.y.astype(int)
        scores = training.oof_scores(d.features.columns(model.features), y, model.family, 0)
        p = training.cross_fit_calibrated(scores, y, model.calibration["method"])
        for src in schema.datasets:
            m = d.source == src
            out.append({"model": schema.name, "source": src, "y": y[m], "p": p[m]})
    return out
