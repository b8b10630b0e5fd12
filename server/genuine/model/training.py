"""Train the follower classifier and write its artefact (needs the `train` extra: scikit-learn).

Per feature schema (Twitter-style profiles from cresci-2015, Instagram-style from InstaFake, and
a core schema over both for other platforms):

1. Features come from the format readers; labels are read separately from the same file and
   joined by row order (readers never expose labels, so the scorer cannot peek at them).
2. Optional Twitter-only fields join the base features one at a time, only when they raise the
   repeated cross-validated MCC by more than two standard errors of the paired difference.
3. Logistic regression and a small gradient-boosted tree ensemble are compared by the same
   repeated stratified k-fold; the trees are kept only if they beat logistic regression by more
   than one standard error (prefer the simpler model when the data cannot tell them apart).
4. The chosen model's out-of-fold scores are calibrated by Platt scaling or isotonic regression,
   whichever has the lower log loss when itself cross-fitted; every reported metric, the
   reliability table and the sensitivity/specificity come from cross-fitted calibrated
   out-of-fold probabilities at threshold 0.5, never from the training fit
   (report.py computes them).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from genuine.model.report import (
    THRESHOLD,
    log_loss,
    mcc,
    mean_sd,
    metrics,
    per_dataset,
    per_group,
    reliability,
    summarise,
)
from genuine.signals.classifier import apply_calibrator
from genuine.signals.features import (
    FEATURE_INDEX,
    FEATURES,
    FeatureMatrix,
    build_features,
    from_raw,
)

FEATURES_BY_NAME = {f.name: f for f in FEATURES}

K_FOLDS, SEED, REPEATS = 5, 0, 5
VERSION_PREFIX = "follower-1"

CITATIONS = {
    "cresci-2015": (
        "Cresci, Di Pietro, Petrocchi, Spognardi, Tesconi: Fame for sale: efficient detection "
        "of fake Twitter followers. Decision Support Systems 80 (2015) 56-71. Research use."
    ),
    "instafake": (
        "Akyon & Kalfaoglu: Instagram Fake and Automated Account Detection (2019), "
        "InstaFake dataset, CC BY-NC 4.0."
    ),
}
CORE = [
    "log_followers",
    "log_following",
    "follow_ratio",
    "log_posts",
    "no_posts",
    "has_avatar",
    "log_bio_length",
    "handle_length",
    "handle_digit_share",
]


@dataclass(frozen=True)
class Schema:
    name: str
    datasets: tuple[str, ...]
    platforms: tuple[str, ...]
    base: tuple[str, ...]
    candidates: tuple[str, ...] = ()


SCHEMAS = (
    Schema(
        "twitter",
        ("cresci-2015",),
        ("x", "twitter"),
        (*CORE, "log_age_days", "posts_per_day", "has_url"),
        ("log_listed", "log_favourites", "default_profile", "has_banner", "geo_enabled"),
    ),
    Schema("instagram", ("instafake",), ("instagram",), (*CORE, "is_private")),
    Schema("core", ("cresci-2015", "instafake"), ("*",), tuple(CORE)),
)
FILES = {
    "cresci-2015": ("cresci-2015/users_train.csv", "twitter-v1", "label", "fake"),
    "instafake": ("instafake/accounts_train.csv", "instafake", "isFake", "1"),
}


@dataclass
class Data:
    features: FeatureMatrix
    y: np.ndarray
    groups: np.ndarray  # cresci's source (E13, TFP humans; INT, FSF, TWT markets); else ""
    source: np.ndarray  # the dataset each row came from


def read_labels(path: Path, column: str, positive: str) -> tuple[np.ndarray, np.ndarray]:
    """Labels (1 = fake) and source groups, straight from the CSV, in row order."""
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        li = header.index(column)
        gi = header.index("dataset") if "dataset" in header else None
        y, groups = [], []
        for row in reader:
            y.append(1 if row[li].strip() == positive else 0)
            groups.append(row[gi] if gi is not None else "")
    return np.array(y, dtype=np.int8), np.array(groups)


def load_dataset(data_dir: Path, name: str, reader: Callable[..., Iterable[Any]]) -> Data:
    rel, fmt, column, positive = FILES[name]
    path = Path(data_dir) / rel
    records = [r.values for r in reader(path, fmt) if r.kind == "account"]
    fm = build_features(records, reference_time=datetime.now(UTC))
    y, groups = read_labels(path, column, positive)
    if len(y) != len(fm):
        raise ValueError(f"{path}: {len(fm)} accounts read but {len(y)} labels")
    return Data(fm, y, groups, np.full(len(y), name))


def _concat(parts: list[Data]) -> Data:
    raw = {k: np.concatenate([p.features.raw[k] for p in parts]) for k in parts[0].features.raw}
    fm = from_raw(raw, np.concatenate([p.features.platforms for p in parts]))
    cat = [np.concatenate([getattr(p, a) for p in parts]) for a in ("y", "groups", "source")]
    return Data(fm, *cat)


# --- models -------------------------------------------------------------------------------------


def make_model(family: str):
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if family == "logistic":
        return make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=5000))
    return HistGradientBoostingClassifier(
        max_iter=40, max_depth=3, learning_rate=0.2, min_samples_leaf=20, early_stopping=False
    )


def oof_scores(X: np.ndarray, y: np.ndarray, family: str, seed: int) -> np.ndarray:
    """Out-of-fold decision scores (log-odds scale) from one stratified k-fold split."""
    from sklearn.model_selection import StratifiedKFold

    out = np.empty(len(y))
    for tr, te in StratifiedKFold(K_FOLDS, shuffle=True, random_state=seed).split(X, y):
        out[te] = make_model(family).fit(X[tr], y[tr]).decision_function(X[te])
    return out


def repeated_mcc(X: np.ndarray, y: np.ndarray, family: str, repeats: int = REPEATS) -> np.ndarray:
    """MCC at raw score 0 (probability 0.5 before calibration) for each repeat."""
    return np.array([mcc(y, oof_scores(X, y, family, SEED + r) > 0) for r in range(repeats)])


def _better(a: np.ndarray, b: np.ndarray, n_se: float) -> bool:
    """Is paired repeated-CV score a better than b by more than n_se standard errors?"""
    d = a - b
    se = d.std(ddof=1) / math.sqrt(len(d)) if len(d) > 1 else 0.0
    return bool(d.mean() > n_se * max(se, 1e-4))


# --- calibration --------------------------------------------------------------------------------


def fit_calibrator(s: np.ndarray, y: np.ndarray, method: str) -> dict[str, Any]:
    if method == "platt":
        from sklearn.linear_model import LogisticRegression

        lr = LogisticRegression(C=1e6, max_iter=1000).fit(s[:, None], y)
        return {"method": "platt", "a": float(lr.coef_[0, 0]), "b": float(lr.intercept_[0])}
    from sklearn.isotonic import IsotonicRegression

    iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(s, y)
    return {
        "method": "isotonic",
        "x": [float(v) for v in iso.X_thresholds_],
        "y": [round(float(v), 6) for v in iso.y_thresholds_],
    }


def cross_fit_calibrated(s: np.ndarray, y: np.ndarray, method: str) -> np.ndarray:
    """Calibrated probabilities where each row's calibrator never saw that row."""
    from sklearn.model_selection import StratifiedKFold

    out = np.empty(len(y))
    for tr, te in StratifiedKFold(K_FOLDS, shuffle=True, random_state=SEED + 99).split(s, y):
        out[te] = apply_calibrator(fit_calibrator(s[tr], y[tr], method), s[te])
    return out


# --- export -------------------------------------------------------------------------------------


def export_params(model, family: str) -> dict[str, Any]:
    """Model parameters as plain JSON (see classifier.py for how they are scored)."""
    if family == "logistic":
        scaler, lr = model.steps[0][1], model.steps[1][1]
        coef = lr.coef_[0] / scaler.scale_
        intercept = float(lr.intercept_[0] - np.sum(coef * scaler.mean_))
        return {"coef": [float(c) for c in coef], "intercept": intercept}
    depth = max(int(node["depth"]) for pred in model._predictors for node in pred[0].nodes)
    n_inner = 2**depth - 1
    feats, thrs, vals = [], [], []
    for (pred,) in model._predictors:
        nodes = pred.nodes
        f, t, v = [0] * n_inner, [None] * n_inner, [0.0] * (2**depth)

        def place(i: int, pos: int, level: int, nodes=nodes, f=f, t=t, v=v) -> None:
            node = nodes[i]
            if level == depth:
                v[pos - n_inner] = float(node["value"])
            elif node["is_leaf"]:  # pad: an always-left test, the leaf on both sides
                place(i, 2 * pos + 1, level + 1)
                place(i, 2 * pos + 2, level + 1)
            else:
                f[pos], t[pos] = int(node["feature_idx"]), float(node["num_threshold"])
                place(int(node["left"]), 2 * pos + 1, level + 1)
                place(int(node["right"]), 2 * pos + 2, level + 1)

        place(0, 0, 0)
        feats.append(f)
        thrs.append(t)
        vals.append(v)
    base = float(np.ravel(model._baseline_prediction)[0])
    return {"base": base, "feature": feats, "threshold": thrs, "value": vals}


def train_schema(
    schema: Schema, data: Data, log: Callable[[str], None], repeats: int = REPEATS
) -> dict[str, Any]:
    y = data.y.astype(int)
    chosen = list(schema.base)
    best = {
        f: repeated_mcc(data.features.columns(chosen), y, f, repeats) for f in ("logistic", "trees")
    }
    selection = []
    for cand in schema.candidates:  # greedy: each optional field must earn its place
        trial = {
            f: repeated_mcc(data.features.columns([*chosen, cand]), y, f, repeats) for f in best
        }
        fam = max(best, key=lambda f: best[f].mean())
        gain = float(trial[fam].mean() - best[fam].mean())
        kept = _better(trial[fam], best[fam], 2.0)
        selection.append({"feature": cand, "mcc_gain": round(gain, 4), "kept": kept})
        log(f"  {schema.name}: +{cand}: MCC gain {gain:+.4f} ({'kept' if kept else 'dropped'})")
        if kept:
            chosen.append(cand)
            best = trial
    family = "trees" if _better(best["trees"], best["logistic"], 1.0) else "logistic"
    X = data.features.columns(chosen)
    scores = oof_scores(X, y, family, SEED)
    cal_loss = {m: log_loss(y, cross_fit_calibrated(scores, y, m)) for m in ("platt", "isotonic")}
    method = min(cal_loss, key=cal_loss.get)
    p = cross_fit_calibrated(scores, y, method)
    runs = [
        metrics(y, cross_fit_calibrated(oof_scores(X, y, family, SEED + r), y, method))
        for r in range(repeats)
    ]
    summary = summarise(runs)
    final = make_model(family).fit(X, y)
    m0 = metrics(y, p)
    log(f"  {schema.name}: {family}, {method}, CV MCC {summary['mcc']['mean']:.4f}")
    return {
        "name": schema.name,
        "platforms": list(schema.platforms),
        "features": chosen,
        "family": family,
        "params": export_params(final, family),
        "calibration": fit_calibrator(scores, y, method),
        "threshold": THRESHOLD,
        "reference": {
            "genuine": [float(v) for v in np.median(X[y == 0], axis=0)],
            "fake": [float(v) for v in np.median(X[y == 1], axis=0)],
        },
        "training_data": list(schema.datasets),
        "n": len(y),
        "n_fake": int(y.sum()),
        "model_selection": {
            "mcc_by_family": {f: mean_sd(v) for f, v in best.items()},
            "optional_features": selection,
            "calibration_log_loss": {k: round(v, 4) for k, v in cal_loss.items()},
            "calibration": method,
        },
        "cv": {
            "split": {"k": K_FOLDS, "seed": SEED, "repeats": repeats, "stratified": True},
            "summary": summary,
            "first_repeat": m0,
            "per_dataset": per_dataset(data.source, y, p),
            "per_group": per_group(data.groups, data.y, p),
            "unseen_market_recall": unseen_market_recall(data, X, family),
        },
        "sensitivity": m0["recall"],
        "specificity": m0["specificity"],
        "reliability": reliability(y, p),
    }


def unseen_market_recall(data: Data, X: np.ndarray, family: str) -> dict[str, float]:
    """Recall on each fake market when the model never saw a single account from it.

    A harder test than k-fold: it asks whether the classifier learned "fake follower" or just
    "an account from these particular sellers".
    """
    y = data.y.astype(int)
    out = {}
    for g in np.unique(data.groups):
        m = data.groups == g
        if not g or y[m].mean() < 1.0 or y[~m].min() == y[~m].max():
            continue
        model = make_model(family).fit(X[~m], y[~m])
        out[str(g)] = round(float(np.mean(model.decision_function(X[m]) > 0)), 4)
    return out


def train(
    data_dir: Path,
    reader: Callable[..., Iterable[Any]] | None = None,
    log: Callable[[str], None] = print,
    repeats: int = REPEATS,
) -> dict[str, Any]:
    """Train every schema whose datasets are present in `data_dir`; return the artefact."""
    if reader is None:
        from genuine.formats import read as reader
    present = [n for n, (rel, *_rest) in FILES.items() if (Path(data_dir) / rel).is_file()]
    if not present:
        raise FileNotFoundError(f"no training file found under {data_dir}")
    loaded = {name: load_dataset(data_dir, name, reader) for name in present}
    models = []
    from threadpoolctl import threadpool_limits

    # A few thousand rows: threads cost more than they save, and stall on a busy machine.
    with threadpool_limits(1):
        for schema in SCHEMAS:
            if not all(d in loaded for d in schema.datasets):
                log(f"  {schema.name}: skipped (needs {', '.join(schema.datasets)})")
                continue
            data = _concat([loaded[d] for d in schema.datasets])
            models.append(train_schema(schema, data, log, repeats))
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    return {
        "version": f"{VERSION_PREFIX}-{stamp}",
        "created_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "feature_definitions": {name: FEATURES_BY_NAME[name].description for name in FEATURE_INDEX},
        "training_data": {
            name: {"citation": CITATIONS[name], "file": FILES[name][0], "rows": len(loaded[name].y)}
            for name in present
        },
        "reproduce": "genuine model train --data DATASETS_DIR",
        "models": models,
    }
