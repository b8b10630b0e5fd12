"""The shipped artefact, numpy scoring identical to scikit-learn, routing and reasons."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from genuine.signals import classifier
from genuine.signals.classifier import MODEL_PATH, Model, fake_probability, load, top_reasons
from genuine.signals.features import build_features

REF = datetime(2025, 1, 1, tzinfo=UTC)


def _spec(family, params, features):
    zeros = [0.0] * len(features)
    return json.loads(
        json.dumps(
            {
                "name": "t",
                "platforms": ["*"],
                "features": features,
                "family": family,
                "params": params,
                "calibration": {"method": "platt", "a": 1.0, "b": 0.0},
                "threshold": 0.5,
                "reference": {"genuine": zeros, "fake": zeros},
            }
        )
    )


@pytest.mark.parametrize("family", ["logistic", "trees"])
def test_numpy_scores_equal_sklearn(family):
    from genuine.model import training

    rng = np.random.default_rng(1)
    X = rng.normal(size=(600, 4))
    X[:, 3] = rng.integers(0, 3, 600)  # ties at thresholds
    y = ((X[:, 0] + X[:, 1] * X[:, 3] + rng.normal(0, 0.5, 600)) > 0).astype(int)
    model = training.make_model(family).fit(X, y)
    spec = _spec(family, training.export_params(model, family), ["a", "b", "c", "d"])
    ours = Model.from_json(spec)
    Xt = rng.normal(size=(5000, 4))
    Xt[:, 3] = rng.integers(0, 3, 5000)
    np.testing.assert_allclose(ours.raw_score(Xt), model.decision_function(Xt), atol=1e-9)


def test_artefact_is_small_cited_and_measured():
    assert MODEL_PATH.stat().st_size < 200_000
    spec = json.loads(MODEL_PATH.read_text())
    cites = json.dumps(spec["training_data"])
    assert "Fame for sale" in cites and "Decision Support Systems 80" in cites
    assert "Akyon" in cites and "CC BY-NC 4.0" in cites
    twitter = next(m for m in spec["models"] if m["name"] == "twitter")
    assert twitter["cv"]["summary"]["mcc"]["mean"] >= 0.95
    assert twitter["cv"]["split"]["k"] >= 5
    for m in spec["models"]:
        assert 0.5 < m["sensitivity"] <= 1 and 0.5 < m["specificity"] <= 1
        assert sum(b["count"] for b in m["reliability"]) == m["n"]


def account(**overrides):
    values = {
        "platform": "x",
        "handle": "someone",
        "bio": "",
        "followers_count": 12,
        "following_count": 4100,
        "posts_count": 0,
        "created_at": REF - timedelta(days=30),
        "has_avatar": False,
        "url": None,
        "verified": False,
        "is_private": False,
        "extra": {"favourites_count": 0, "listed_count": 0},
    }
    values.update(overrides)
    return values


def test_routing_by_schema_and_unknown_when_nothing_fits():
    rows = [
        account(),  # twitter schema
        account(platform="instagram", created_at=None, is_private=True),  # instagram
        account(platform="mastodon", extra={}),  # core: no twitter-only fields
        account(followers_count=None),  # no model can score it
    ]
    fm = build_features(rows, reference_time=REF)
    clf = load()
    names = [clf.models[i].name if i >= 0 else None for i in clf.route(fm)]
    assert names == ["twitter", "instagram", "core", None]
    p = fake_probability(fm)
    assert np.all((p[:3] > 0.5) & (p[:3] <= 1)) and np.isnan(p[3])
    assert top_reasons(fm)[3] == []


def test_reasons_for_an_obvious_fake_and_a_real_person():
    person = account(
        handle="marta",
        bio="Cellist in Turin. Opinions mine.",
        followers_count=900,
        following_count=300,
        posts_count=5200,
        created_at=REF - timedelta(days=3000),
        has_avatar=True,
        url="https://example.org",
        extra={"favourites_count": 2100},
    )
    fm = build_features([account(), person], reference_time=REF)
    p = fake_probability(fm)
    assert p[0] > 0.9 and p[1] < 0.1
    reasons = top_reasons(fm, k=3)
    codes = [r["code"] for r in reasons[0]]
    assert 1 <= len(codes) <= 3
    assert set(codes) & {"follows_many", "never_posted", "no_avatar", "no_likes", "new_account"}
    texts = [r["text"] for r in reasons[0]]
    assert {"follows 4,100 accounts, followed by 12", "never posted"} & set(texts)


def test_scoring_is_vectorised_and_cached():
    assert load() is load()
    fm = build_features([account()] * 3, reference_time=REF)
    big = classifier.FeatureMatrix(
        X=np.repeat(fm.X, 10_000, axis=0), raw={}, platforms=np.repeat(fm.platforms, 10_000)
    )
    p = fake_probability(big)
    assert p.shape == (30_000,) and np.all(p == p[0])
