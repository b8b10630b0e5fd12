"""Follow-back of strangers and the graph's baseline (genuine.signals.rings_stats)."""

from __future__ import annotations

import numpy as np

from genuine.signals import rings_graph as rg
from genuine.signals import rings_stats as rs


def counts(edges, times=None):
    arr = np.array(edges, dtype=np.int64)
    t = None if times is None else np.asarray(times, dtype=np.float64)
    index = rg.build_index(arr[:, 0], arr[:, 1], followed_at=t)
    return rs.stranger_counts(index, rg.mutual_adjacency(index))


def test_friends_of_friends_are_not_strangers():
    # 0, 2 and 3 are mutual with each other (a triangle): friends. 1 and 4 share no one.
    edges = [(0, 3), (3, 0), (2, 3), (3, 2), (2, 0), (0, 2), (1, 0), (0, 1), (4, 0)]
    total, back, stranger = counts(edges)
    assert (total[0], back[0]) == (2, 1)  # strangers 1 (followed back) and 4 (not)
    assert stranger.sum() == 3  # 1 -> 0, 4 -> 0, and 0 -> 1 (0 is a stranger to 1 too)
    assert (total[1], back[1]) == (1, 1)


def test_follow_times_say_who_answered_whom():
    # 0 follows 5 on day 1 and 5 follows back on day 2: 5 answered 0, not the other way.
    total, back, _ = counts([(0, 5), (5, 0)], times=[86400, 2 * 86400])
    assert (total[0], back[0]) == (0, 0)  # 5's follow was an answer: no stranger to judge
    assert (total[5], back[5]) == (1, 1)  # 0 was a stranger to 5, and 5 followed back
    # Without times the pair counts for both ends.
    total, back, _ = counts([(0, 5), (5, 0)])
    assert (total[0], back[0], total[5], back[5]) == (1, 1, 1, 1)


def test_baseline_ignores_celebrities_and_ring_members():
    rng = np.random.default_rng(0)
    total = np.concatenate([rng.integers(5, 40, 2000), [5000] * 20, [15] * 100])
    ordinary = rng.binomial(total[:2000], 0.2)
    back = np.concatenate([ordinary, [0] * 20, [14] * 100])
    rate = rs.baseline_rate(total, back)
    assert abs(rate - 0.2) < 0.02
    # The same accounts at 35%: the baseline follows the data, not a constant.
    back35 = np.concatenate([rng.binomial(total[:2000], 0.35), [0] * 20, [14] * 100])
    assert abs(rs.baseline_rate(total, back35) - 0.35) < 0.03


def test_baseline_of_a_tiny_graph_leans_on_the_prior():
    assert rs.baseline_rate(np.array([6, 6]), np.array([6, 6])) < 0.3
    assert rs.baseline_rate(np.array([], dtype=int), np.array([], dtype=int)) == 0.2


def test_log_likelihood_ratio_sign():
    llr = rs.log_lr(np.array([9, 2]), np.array([10, 10]), 0.2, rs.elevated_rate(0.2, 0.3))
    assert llr[0] > 0 > llr[1]
