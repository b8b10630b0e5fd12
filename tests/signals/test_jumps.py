"""Follower jumps on synthetic series: planted jumps found, ordinary noise left alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from genuine.signals.jumps import find_jumps

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def series(days, rng, growth=10.0, noise=6.0):
    """Followers growing `growth` a day, with random-walk noise, at the given day offsets."""
    gaps = np.diff(days, prepend=0.0)
    steps = growth * gaps + rng.normal(0, noise, len(days)) * np.sqrt(np.maximum(gaps, 1e-9))
    return np.round(1000 + np.cumsum(steps)).astype(int)


def test_planted_jump_is_found_on_daily_snapshots():
    rng = np.random.default_rng(0)
    days = np.arange(60, dtype=float)
    y = series(days, rng)
    y[40:] += 2000
    times = [T0 + timedelta(days=float(d)) for d in days]
    report = find_jumps(times, y)
    assert [j.end for j in report.jumps] == [times[40]]
    assert report.jumps[0].direction == "up" and report.jumps[0].change > 1900
    assert report.reasons[0]["code"] == "follower_jump"
    assert "2025-02-10" in report.reasons[0]["text"]


def test_irregular_spacing_no_false_alarms_and_a_jump_in_a_long_gap():
    false_alarms = 0
    for seed in range(20):
        rng = np.random.default_rng(seed)
        days = np.cumsum(rng.uniform(0.2, 7.0, 50))
        y = series(days, rng)
        false_alarms += len(find_jumps(days * 86400, y).jumps)
        # A purchase of 1,500 inside one of the long gaps.
        k = int(np.argmax(np.diff(days))) + 1
        y2 = y.copy()
        y2[k:] += 1500
        flagged = find_jumps(days * 86400, y2).jumps
        assert [round(j.end / 86400, 6) for j in flagged] == [round(days[k], 6)]
    # 980 jump-free intervals; Gaussian noise alone passes |z| >= 3.5 about 0.05% of the time.
    assert false_alarms <= 1


def test_ordinary_growth_spread_over_time_is_not_a_jump():
    # Fast but steady growth: 300 a day for two months.
    days = np.arange(60, dtype=float)
    y = 1000 + 300 * days.astype(int)
    assert find_jumps(days * 86400, y).jumps == []


def test_purge_is_reported_as_a_drop():
    rng = np.random.default_rng(3)
    days = np.arange(30, dtype=float)
    y = series(days, rng) + 5000
    y[20:] -= 3000
    report = find_jumps(days * 86400, y)
    assert [j.direction for j in report.jumps] == ["down"]
    assert report.up == [] and report.reasons[0]["code"] == "follower_drop"


def test_too_few_snapshots_give_a_reason_not_a_verdict():
    report = find_jumps([T0, T0 + timedelta(days=1), T0 + timedelta(days=2)], [10, 20, 5000])
    assert report.jumps == [] and report.reasons[0]["code"] == "few_snapshots"


def test_unsorted_input_and_duplicate_times():
    days = np.array([5, 1, 3, 2, 4, 0, 6, 7, 3], dtype=float)
    y = np.array([50, 10, 30, 20, 40, 0, 60, 70, 30])
    report = find_jumps(days * 86400, y)
    assert report.intervals == 7 and report.jumps == []


def test_no_snapshots_at_all_is_too_few_not_an_error():
    from genuine.signals.jumps import find_jumps

    report = find_jumps([], [])
    assert report.jumps == [] and report.reasons[0]["code"] == "few_snapshots"
