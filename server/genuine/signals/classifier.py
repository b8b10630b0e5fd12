"""Score accounts with the trained follower classifier, in numpy only.

The artefact (follower_model.json, written by `genuine model train`) holds one model per
feature schema: Twitter-style profiles (cresci-2015), Instagram-style profiles (InstaFake) and a
core schema for any platform. A row is scored by the first model whose platforms match and whose
features are all known for that row; a row no model can score gets NaN ("unknown"), never a
guess. Scoring needs no scikit-learn: a logistic model is a dot product, a tree ensemble is a
set of complete binary trees stored level by level, both followed by the calibration map.

Reasons are found by substitution: for each part of the profile (audience, activity, age,
picture, ...) the score is recomputed with that part replaced by the median of the genuine
training accounts (for a fake-looking score) or of the fake ones (for a genuine-looking score).
The parts whose replacement moves the score most are the reasons, worded with the account's own
numbers. This works the same for every model family and needs only a few extra scorings.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from genuine.signals.features import FEATURES, FeatureMatrix, describe

MODEL_PATH = Path(__file__).with_name("follower_model.json")
_GROUP = {f.name: f.group for f in FEATURES}
_CHUNK = 2048
MIN_EFFECT = 0.1  # log-odds; smaller moves are noise, not reasons


@dataclass
class Model:
    """One scoring model for one feature schema (see module docstring)."""

    name: str
    platforms: tuple[str, ...]
    features: tuple[str, ...]
    family: str
    params: dict[str, Any]
    calibration: dict[str, Any]
    threshold: float
    reference: dict[str, np.ndarray]
    confusion: dict[str, int]  # cross-validated counts: tp, fn, tn, fp at the threshold

    @classmethod
    def from_json(cls, spec: dict[str, Any]) -> Model:
        params = dict(spec["params"])
        if spec["family"] == "logistic":
            params["coef"] = np.asarray(params["coef"], dtype=np.float64)
        else:
            params["feature"] = np.asarray(params["feature"], dtype=np.intp)
            threshold = np.asarray(params["threshold"], dtype=np.float64)
            params["threshold"] = np.where(np.isnan(threshold), np.inf, threshold)
            params["value"] = np.asarray(params["value"], dtype=np.float64)
            params["tests"] = _tests_by_feature(params["feature"], params["threshold"])
        cal = dict(spec["calibration"])
        if cal["method"] == "isotonic":
            cal["x"] = np.asarray(cal["x"], dtype=np.float64)
            cal["y"] = np.asarray(cal["y"], dtype=np.float64)
        return cls(
            name=spec["name"],
            platforms=tuple(spec["platforms"]),
            features=tuple(spec["features"]),
            family=spec["family"],
            params=params,
            calibration=cal,
            threshold=float(spec["threshold"]),
            reference={k: np.asarray(v, dtype=np.float64) for k, v in spec["reference"].items()},
            confusion=dict(spec["cv"]["first_repeat"]["confusion"]) if "cv" in spec else {},
        )

    def raw_score(self, X: np.ndarray) -> np.ndarray:
        """The uncalibrated score (log-odds scale) of rows X over this model's features."""
        if self.family == "logistic":
            return X @ self.params["coef"] + self.params["intercept"]
        return _trees_raw(X, self.params)

    def calibrate(self, raw: np.ndarray) -> np.ndarray:
        return apply_calibrator(self.calibration, raw)

    def probability(self, X: np.ndarray) -> np.ndarray:
        return self.calibrate(self.raw_score(X))

    def applies(self, fm: FeatureMatrix) -> np.ndarray:
        """Rows this model can score: platform matches and no feature of its schema is unknown."""
        known = ~np.isnan(fm.columns(self.features)).any(axis=1)
        if "*" in self.platforms:
            return known
        return known & np.isin(fm.platforms.astype(str), list(self.platforms))


def apply_calibrator(cal: dict[str, Any], raw: np.ndarray) -> np.ndarray:
    """Raw scores to probabilities by the artefact's calibration map (Platt or isotonic).

    Training cross-fits calibrators with this same function, so the reported metrics describe
    exactly the probabilities the shipped classifier gives.
    """
    if cal["method"] == "platt":
        return 1.0 / (1.0 + np.exp(-(cal["a"] * raw + cal["b"])))
    return np.interp(raw, cal["x"], cal["y"])


def _tests_by_feature(
    feat: np.ndarray, thr: np.ndarray
) -> list[tuple[int, np.ndarray, np.ndarray]]:
    """For each feature: the flat indices of the nodes testing it, and their thresholds."""
    flat_f, flat_t = feat.ravel(), thr.ravel()
    groups = []
    for j in np.unique(flat_f):
        idx = np.flatnonzero(flat_f == j)
        groups.append((int(j), idx, flat_t[idx][:, None]))
    return groups


def _trees_raw(X: np.ndarray, p: dict[str, Any]) -> np.ndarray:
    """Sum of complete depth-d trees in heap order (node i has children 2i+1, 2i+2).

    Shallower branches were padded at training time with always-left nodes, so every row takes
    exactly d steps and all trees advance together. Per block of rows: first every node's test
    for every row, computed feature by feature (one broadcast comparison per feature, no
    copies of X); then d flat gathers walk all trees at once; then one gather of leaf values.
    Blocks of a few thousand rows keep the work in cache.
    """
    feat, val = p["feature"], p["value"]  # (T, 2^d - 1), (T, 2^d)
    n_trees, n_inner = feat.shape
    depth = int(np.log2(n_inner + 1))
    leaf_offset = (np.arange(n_trees) * (n_inner + 1) - n_inner)[:, None]
    flat_values = val.ravel()
    out = np.empty(X.shape[0], dtype=np.float64)
    for start in range(0, X.shape[0], _CHUNK):
        xt = np.ascontiguousarray(X[start : start + _CHUNK].T)  # (F, m)
        m = xt.shape[1]
        right = np.empty((n_trees * n_inner, m), dtype=np.intp)
        for j, idx, thresholds in p["tests"]:
            right[idx] = xt[j] > thresholds
        flat_right = right.reshape(-1)
        row_base = np.arange(n_trees)[:, None] * (n_inner * m) + np.arange(m)[None, :]
        node = np.zeros((n_trees, m), dtype=np.intp)
        for _ in range(depth):
            node = 2 * node + 1 + flat_right[row_base + node * m]
        out[start : start + m] = p["base"] + flat_values[node + leaf_offset].sum(axis=0)
    return out


@dataclass
class Classifier:
    """All models of one artefact, tried in order."""

    version: str
    models: tuple[Model, ...]
    meta: dict[str, Any]

    def route(self, fm: FeatureMatrix) -> np.ndarray:
        """Index of the model scoring each row, -1 where none can."""
        which = np.full(len(fm), -1, dtype=np.intp)
        for i, model in enumerate(self.models):
            which[(which < 0) & model.applies(fm)] = i
        return which

    def probability(self, fm: FeatureMatrix, which: np.ndarray | None = None) -> np.ndarray:
        which = self.route(fm) if which is None else which
        out = np.full(len(fm), np.nan)
        for i, model in enumerate(self.models):
            rows = np.flatnonzero(which == i)
            if rows.size:
                out[rows] = model.probability(fm.columns(model.features)[rows])
        return out


@cache
def load(path: str | None = None) -> Classifier:
    """The classifier in `path` (default: the shipped artefact), parsed once per process."""
    spec = json.loads(Path(path or MODEL_PATH).read_text(encoding="utf-8"))
    return Classifier(
        version=spec["version"],
        models=tuple(Model.from_json(m) for m in spec["models"]),
        meta={k: v for k, v in spec.items() if k != "models"},
    )


def fake_probability(features: FeatureMatrix, model_path: str | None = None) -> np.ndarray:
    """Calibrated probability that each account is fake; NaN where no model applies."""
    return load(model_path).probability(features)


def is_fake(probability: np.ndarray, model_path: str | None = None) -> np.ndarray:
    """0/1 decisions at each model's threshold (all models use one threshold); -1 when unknown."""
    thr = load(model_path).models[0].threshold
    return np.where(np.isnan(probability), -1, probability >= thr).astype(np.int8)


def top_reasons(
    features: FeatureMatrix, k: int = 3, model_path: str | None = None
) -> list[list[dict[str, str]]]:
    """Up to k reasons per account ({code, text}), strongest first; [] when unscored.

    For an account scored as fake, reasons are the profile parts that push the score up the
    most (replacing them with a typical genuine account's values lowers it); for one scored as
    genuine, the parts that hold it down. Only parts that move the log-odds by MIN_EFFECT count.
    """
    clf = load(model_path)
    which = clf.route(features)
    result: list[list[dict[str, str]]] = [[] for _ in range(len(features))]
    for i, model in enumerate(clf.models):
        rows = np.flatnonzero(which == i)
        if not rows.size:
            continue
        X = features.columns(model.features)[rows]
        raw_score = model.raw_score(X)
        fake = model.calibrate(raw_score) >= model.threshold
        sign = np.where(fake, 1.0, -1.0)
        groups = sorted({_GROUP[f] for f in model.features})
        effect = np.zeros((rows.size, len(groups)))
        for g, group in enumerate(groups):
            cols = [j for j, f in enumerate(model.features) if _GROUP[f] == group]
            Xs = X.copy()
            Xs[np.ix_(fake, cols)] = model.reference["genuine"][cols]
            Xs[np.ix_(~fake, cols)] = model.reference["fake"][cols]
            # On the log-odds scale, so that a part still counts when the score is saturated.
            effect[:, g] = sign * (raw_score - model.raw_score(Xs))
        order = np.argsort(-effect, axis=1)[:, :k]
        for r, row in enumerate(rows):
            raw = {name: float(col[row]) for name, col in features.raw.items()}
            for g in order[r]:
                if effect[r, g] >= MIN_EFFECT:
                    code, text = describe(groups[g], raw)
                    result[row].append({"code": code, "text": text})
    return result
