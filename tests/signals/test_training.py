"""Training on the real cresci-2015 file: cross-validated quality, labels joined by row order."""

from __future__ import annotations

import numpy as np
import pytest

from genuine.model import training
from tests.conftest import dataset_file


@pytest.fixture(scope="module")
def cresci(datasets_dir):
    from genuine.formats import read

    dataset_file(datasets_dir, "cresci-2015/users_train.csv")
    return training.load_dataset(datasets_dir, "cresci-2015", read)


def test_labels_join_by_row_order(cresci):
    assert len(cresci.y) == 3114 and int(cresci.y.sum()) == 1781
    # The file is ordered by source: E13 humans first, then the bought followers.
    assert cresci.groups[0] == "E13" and cresci.y[0] == 0
    assert set(np.unique(cresci.groups[cresci.y == 1])) == {"INT", "FSF", "TWT"}


def test_cross_validated_mcc_on_cresci_meets_the_goal(cresci):
    from threadpoolctl import threadpool_limits

    y = cresci.y.astype(int)
    X = cresci.features.columns(training.SCHEMAS[0].base)
    with threadpool_limits(1):
        scores = training.oof_scores(X, y, "trees", seed=0)
    p = training.cross_fit_calibrated(scores, y, "platt")
    m = training.metrics(y, p)
    assert m["mcc"] >= 0.95, m
    assert m["auc"] >= 0.99, m
    table = training.reliability(y, p)
    assert sum(row["count"] for row in table) == len(y)
    # Calibrated: in the well-populated end bins the observed rate matches the prediction.
    for row in (table[0], table[-1]):
        assert abs(row["mean_predicted"] - row["observed_rate"]) < 0.03


def test_a_label_file_that_does_not_match_is_refused(tmp_path, datasets_dir):
    from genuine.formats import read

    src = dataset_file(datasets_dir, "instafake/accounts_train.csv")
    (tmp_path / "instafake").mkdir()
    (tmp_path / "instafake" / "accounts_train.csv").write_text(src.read_text())

    def short_reader(path, fmt):
        return list(read(path, fmt))[:-1]

    with pytest.raises(ValueError, match="labels"):
        training.load_dataset(tmp_path, "instafake", short_reader)


def test_mcc_by_hand():
    y = np.array([1, 1, 0, 0, 1, 0])
    pred = np.array([1, 0, 0, 0, 1, 1])
    # tp=2 fn=1 tn=2 fp=1: (4 - 1) / sqrt(3 * 3 * 3 * 3) = 1/3
    assert training.mcc(y, pred) == pytest.approx(1 / 3)
