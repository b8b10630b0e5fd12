"""Interval estimates shared by the signals: one implementation, so the badges agree.

Binomial shares (answered questions, flagged followers, a classifier's hit rates) get the
Wilson score interval (Wilson 1927) rather than the normal approximation, which is too narrow
and can leave [0, 1] at shares near 0 or 1 and at small samples, exactly where badges sit. A
difference of two independent shares gets Newcombe's hybrid score interval (Newcombe 1998,
method 10), built from the two Wilson intervals for the same reasons.
"""

from __future__ import annotations

import math

Z95 = 1.959963984540054  # two-sided 95% quantile of the standard normal


def wilson(successes: float, n: float, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for ``successes`` of ``n`` (counts may be fractional, e.g. pooled).

    ``n`` <= 0 gives (0, 1): no data, no information.
    """
    if n <= 0:
        return 0.0, 1.0
    p = successes / n
    den = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return max(0.0, centre - half), min(1.0, centre + half)


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """As `wilson`, but None without data, and exactly 0 and 1 at 0 and ``n`` successes:
    rounding must not push a reported share of 0% or 100% outside its own interval."""
    if n <= 0:
        return None
    lower, upper = wilson(successes, n, z)
    return (0.0 if successes == 0 else lower, 1.0 if successes == n else upper)


def newcombe_difference(
    p1: float, interval1: tuple[float, float], p2: float, interval2: tuple[float, float]
) -> tuple[float, float]:
    """95% interval for ``p1 - p2`` from each share and its Wilson interval (Newcombe 1998)."""
    diff = p1 - p2
    lower = diff - math.hypot(p1 - interval1[0], interval2[1] - p2)
    upper = diff + math.hypot(interval1[1] - p1, p2 - interval2[0])
    return lower, upper
