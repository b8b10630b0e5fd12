"""Rogan–Gladen by hand, interval coverage by simulation, levels and caveats."""

from __future__ import annotations

import numpy as np
import pytest

from genuine.signals.jumps import JumpReport
from genuine.signals.purchase_risk import (
    MIN_SAMPLE,
    ErrorRates,
    assess,
    corrected_interval,
    rogan_gladen,
)
from genuine.signals.stats import wilson

RATES = ErrorRates(tp=1758, fn=23, tn=1316, fp=17)  # the size of cresci-2015's CV counts


@pytest.mark.parametrize(
    ("apparent", "se", "sp", "expected"),
    [
        (0.20, 0.90, 0.95, 0.15 / 0.85),  # (0.20 + 0.95 - 1) / (0.90 + 0.95 - 1)
        (0.50, 0.80, 0.80, 0.50),  # symmetric errors leave one half alone
        (0.03, 0.90, 0.95, 0.0),  # below the false-positive rate: clipped at 0
        (0.99, 0.90, 0.95, 1.0),  # above the sensitivity: clipped at 1
        (0.10, 1.00, 1.00, 0.10),  # a perfect classifier changes nothing
    ],
)
def test_rogan_gladen_by_hand(apparent, se, sp, expected):
    assert rogan_gladen(apparent, se, sp) == pytest.approx(expected)


def test_rogan_gladen_refuses_a_useless_classifier():
    with pytest.raises(ValueError):
        rogan_gladen(0.3, 0.5, 0.5)


def test_wilson_known_values():
    lo, hi = wilson(0, 10)
    assert lo == 0.0 and hi == pytest.approx(3.8415 / 13.8415, abs=1e-4)
    lo, hi = wilson(5, 10)
    assert (lo, hi) == (pytest.approx(0.2366, abs=1e-4), pytest.approx(0.7634, abs=1e-4))


@pytest.mark.parametrize("true_share", [0.0, 0.05, 0.3, 0.8])
@pytest.mark.parametrize("n", [100, 1000])
def test_interval_covers_the_true_share(true_share, n):
    """Simulate the whole chain: measure Se/Sp on labelled data, then sample followers."""
    rng = np.random.default_rng(int(true_share * 100) + n)
    se_true, sp_true = 0.95, 0.97
    sims, covered = 600, 0
    for _ in range(sims):
        rates = ErrorRates(
            tp=int(rng.binomial(1500, se_true)),
            fn=0,
            tn=int(rng.binomial(1200, sp_true)),
            fp=0,
        )
        rates = ErrorRates(rates.tp, 1500 - rates.tp, rates.tn, 1200 - rates.tn)
        fakes = rng.binomial(n, true_share)
        flagged = rng.binomial(fakes, se_true) + rng.binomial(n - fakes, 1 - sp_true)
        _, (lo, hi) = corrected_interval(int(flagged), n, rates)
        covered += lo <= true_share <= hi
    assert covered / sims >= 0.93


def test_levels_follow_the_corrected_share():
    low = assess([1] * 5 + [0] * 995, RATES)
    assert low.level == "low" and low.score < 0.15
    assert 0 <= low.interval[0] <= low.score <= low.interval[1] <= 1
    high = assess([1] * 600 + [0] * 400, RATES)
    assert high.level == "high" and high.interval[0] > 0.5
    medium = assess([1] * 200 + [0] * 800, RATES)
    assert medium.level == "medium"
    assert medium.sample_size == 1000
    assert medium.reasons[0]["code"] == "fake_share"


def test_unknown_below_the_minimum_sample_with_a_reason():
    r = assess([1] * 40 + [0] * (MIN_SAMPLE - 41), RATES)
    assert r.level == "unknown" and r.score is None and r.interval is None
    assert r.reasons[0]["code"] == "sample_too_small"


def test_unscored_followers_do_not_count():
    r = assess([1] * 10 + [0] * 190 + [-1] * 50 + [np.nan] * 5, RATES)
    assert r.sample_size == 200
    assert "unscored_followers" in [x["code"] for x in r.reasons]


def test_newest_first_sample_is_flagged():
    r = assess([0] * 500, RATES, newest_first=True)
    assert r.level == "low"
    assert "sample_newest_first" in [x["code"] for x in r.reasons]


def test_jumps_raise_low_to_medium_but_not_to_high():
    jump = JumpReport([], 10, 5.0, [{"code": "follower_jump", "text": "gained 5,000"}])
    assert assess([0] * 500, RATES, jumps=jump).level == "medium"
    assert assess([1] * 600 + [0] * 400, RATES, jumps=jump).level == "high"


def test_pooled_rates_average_by_rows():
    a, b = ErrorRates(90, 10, 95, 5), ErrorRates(80, 20, 85, 15)
    pooled = ErrorRates.pooled([a, b], [3, 1])
    assert pooled.sensitivity == pytest.approx(0.75 * 0.9 + 0.25 * 0.8)
    assert pooled.specificity == pytest.approx(0.75 * 0.95 + 0.25 * 0.85)
