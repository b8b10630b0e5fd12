"""The numbers `genuine model train` writes about each model, from out-of-fold predictions.

Nothing here fits a model: every function takes labels and probabilities that training.py
cross-fitted (calibrated, out-of-fold), so no reported figure can come from the training fit.
Decisions are taken at THRESHOLD, the same threshold the shipped classifier uses.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

THRESHOLD = 0.5
SUMMARY_KEYS = ("mcc", "auc", "precision", "recall", "specificity", "accuracy", "brier")


def confusion(y: np.ndarray, pred: np.ndarray) -> tuple[int, int, int, int]:
    """(tp, fn, tn, fp) of 0/1 predictions against 0/1 labels (1 = fake)."""
    tp, fn = int(np.sum((pred == 1) & (y == 1))), int(np.sum((pred == 0) & (y == 1)))
    tn, fp = int(np.sum((pred == 0) & (y == 0))), int(np.sum((pred == 1) & (y == 0)))
    return tp, fn, tn, fp


def mcc(y: np.ndarray, pred: np.ndarray) -> float:
    """Matthews correlation: unlike accuracy, not flattered by the larger class."""
    tp, fn, tn, fp = map(float, confusion(y, pred))
    den = math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    return (tp * tn - fp * fn) / den if den else 0.0


def log_loss(y: np.ndarray, p: np.ndarray) -> float:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def metrics(y: np.ndarray, p: np.ndarray) -> dict[str, Any]:
    """Threshold metrics, ranking (AUC) and probability quality (Brier, log loss) of ``p``."""
    from sklearn.metrics import roc_auc_score

    pred = (p >= THRESHOLD).astype(int)
    tp, fn, tn, fp = confusion(y, pred)
    return {
        "mcc": round(mcc(y, pred), 4),
        "auc": round(float(roc_auc_score(y, p)), 4),
        "precision": round(tp / max(tp + fp, 1), 4),
        "recall": round(tp / max(tp + fn, 1), 4),
        "specificity": round(tn / max(tn + fp, 1), 4),
        "accuracy": round((tp + tn) / len(y), 4),
        "brier": round(float(np.mean((p - y) ** 2)), 4),
        "log_loss": round(log_loss(y, p), 4),
        "confusion": {"tp": tp, "fn": fn, "tn": tn, "fp": fp},
    }


def reliability(y: np.ndarray, p: np.ndarray, bins: int = 10) -> list[dict[str, Any]]:
    """Predicted against observed fake rate in equal-width probability bins."""
    edges = np.linspace(0, 1, bins + 1)
    idx = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    table = []
    for b in range(bins):
        m = idx == b
        table.append(
            {
                "bin": [round(float(edges[b]), 2), round(float(edges[b + 1]), 2)],
                "mean_predicted": round(float(p[m].mean()), 4) if m.any() else None,
                "observed_rate": round(float(y[m].mean()), 4) if m.any() else None,
                "count": int(m.sum()),
            }
        )
    return table


def mean_sd(values: Sequence[float] | np.ndarray) -> dict[str, float]:
    """Mean and sample standard deviation over CV repeats, rounded for the artefact."""
    return {"mean": round(float(np.mean(values)), 4), "sd": round(float(np.std(values, ddof=1)), 4)}


def summarise(runs: Sequence[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Mean and spread of each metric over the repeats of cross-validation."""
    return {key: mean_sd([m[key] for m in runs]) for key in SUMMARY_KEYS}


def per_dataset(source: np.ndarray, y: np.ndarray, p: np.ndarray) -> dict[str, Any]:
    """Metrics per training dataset; empty when all rows come from one."""
    if len(set(source)) <= 1:
        return {}
    return {str(d): metrics(y[source == d], p[source == d]) for d in np.unique(source)}


def per_group(groups: np.ndarray, y: np.ndarray, p: np.ndarray) -> dict[str, Any]:
    """Share flagged fake per source group (cresci: per human set and per fake market)."""
    out = {}
    for g in np.unique(groups):
        if g:
            m = groups == g
            out[str(g)] = {
                "n": int(m.sum()),
                "label": "fake" if y[m].mean() > 0.5 else "genuine",
                "flagged_fake": round(float(np.mean(p[m] >= THRESHOLD)), 4),
            }
    return out
