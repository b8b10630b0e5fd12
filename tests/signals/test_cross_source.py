"""The cross-source and per-source figures on the methodology page, recomputed from the data.

Train on one dataset, test on the other (issue 12 part 4): cresci-2015 → InstaFake meets the
goal (MCC ≥ 0.60, AUC ≥ 0.93); InstaFake → cresci-2015 ranks well but misses MCC at 0.5. If a
change moves these, the page (site/docs/methodology/follower-purchase-risk.md) must follow.
"""

from __future__ import annotations

import numpy as np
import pytest

from genuine.model import cross_source, training
from genuine.model.report import reliability
from tests.conftest import dataset_file


@pytest.fixture(scope="module")
def data(datasets_dir):
    from genuine.formats import read

    for rel, *_ in training.FILES.values():
        dataset_file(datasets_dir, rel)
    return {n: training.load_dataset(datasets_dir, n, read) for n in training.FILES}


@pytest.fixture(autouse=True)
def _one_thread():
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        yield


def test_twitter_to_instagram_meets_the_goal_as_documented(data):
    r = cross_source.cross(data["cresci-2015"], data["instafake"], tuple(training.CORE), "trees")
    assert r["goal_met"], r
    assert r["mcc"] == pytest.approx(0.812, abs=0.005)
    assert r["auc"] == pytest.approx(0.937, abs=0.005)
    assert len(r["p"]) == 813  # every InstaFake row, none of which the fit saw
    # Documented: the training prevalence (57% fake) carries over, so it over-predicts.
    table = [row for row in reliability(r["y"], r["p"], 5) if row["count"]]
    assert all(row["mean_predicted"] > row["observed_rate"] for row in table)


def test_instagram_to_twitter_ranks_but_misses_mcc_as_documented(data):
    r = cross_source.cross(data["instafake"], data["cresci-2015"], tuple(training.CORE), "trees")
    assert not r["goal_met"]
    assert r["auc"] >= cross_source.GOAL_AUC
    assert r["mcc"] == pytest.approx(0.232, abs=0.005)
    # The miss is the threshold, not the ranking: a threshold chosen on the labels does well.
    assert r["best_mcc"] > 0.85


def test_best_threshold_mcc_by_hand():
    y = np.array([0, 0, 1, 1])
    assert cross_source.best_threshold_mcc(y, np.array([0.1, 0.2, 0.3, 0.4])) == 1.0
    assert cross_source.best_threshold_mcc(y, np.array([0.4, 0.3, 0.2, 0.1])) < 1.0


def test_held_out_reliability_per_source_matches_the_artefact(data):
    from genuine.signals.classifier import load

    results = {(r["model"], r["source"]): r for r in cross_source.held_out(data)}
    assert set(results) == {
        ("twitter", "cresci-2015"),
        ("instagram", "instafake"),
        ("core", "cresci-2015"),
        ("core", "instafake"),
    }
    # The twitter and instagram rows are exactly the probabilities the artefact reports on.
    shipped = {m.name: m for m in load().models}
    for name, src in (("twitter", "cresci-2015"), ("instagram", "instafake")):
        r = results[(name, src)]
        tp = int(np.sum((r["p"] >= 0.5) & (r["y"] == 1)))
        assert tp == shipped[name].confusion["tp"], name
        table = reliability(r["y"], r["p"])
        for row in (table[0], table[-1]):  # the end bins hold 90%+ and are calibrated
            assert abs(row["mean_predicted"] - row["observed_rate"]) < 0.04, (name, row)
