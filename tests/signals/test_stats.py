"""The shared estimators: the vectorised Kaplan-Meier against the textbook product-limit loop."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genuine.signals.stats import kaplan_meier, wilson_interval

HORIZON = 10.0


def textbook(items: list[tuple[float, bool]]) -> tuple[float, float]:
    """1 - S(horizon) and Greenwood's Var S, over distinct event times, d/n at each."""
    survive, green = 1.0, 0.0
    for t in sorted({t for t, e in items if e and t <= HORIZON}):
        n = sum(1 for u, _ in items if min(u, HORIZON) >= t)
        d = sum(1 for u, e in items if e and u == t)
        survive *= 1 - d / n
        green += d / (n * (n - d)) if n > d else float("inf")
    return 1 - survive, survive * survive * green if survive > 0 else 0.0


item = st.tuples(st.integers(0, 12).map(float), st.booleans())


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(item, max_size=12), min_size=1, max_size=4))
def test_vectorised_estimate_equals_the_textbook_loop(groups):
    group = np.array([g for g, items in enumerate(groups) for _ in items], dtype=np.int64)
    time = np.array([t for items in groups for t, _ in items], dtype=float)
    event = np.array([e and t <= HORIZON for items in groups for t, e in items], dtype=bool)
    km = kaplan_meier(group, len(groups), time, event, HORIZON)
    for g, items in enumerate(groups):
        items = [(t, e and t <= HORIZON) for t, e in items]
        share, var = textbook(items)
        assert km.items[g] == len(items)
        assert km.share[g] == pytest.approx(share, abs=1e-9)
        if items and 0 < share < 1:
            assert km.effective[g] == pytest.approx(min(share * (1 - share) / var, len(items)))
        if items:
            lo, hi = km.interval(g)
            assert lo <= km.share[g] <= hi


def test_without_censoring_it_is_the_binomial_share_and_wilson_interval():
    time = np.array([1.0, 2.0, 2.0, 10.0, 10.0, 11.0, 3.0])
    event = np.array([True, True, True, False, False, False, True])
    km = kaplan_meier(np.zeros(7, dtype=np.int64), 1, time, event, HORIZON)
    assert (km.share[0], km.effective[0], km.censored[0]) == (4 / 7, 7.0, 0)
    assert km.interval(0) == wilson_interval(4, 7)
