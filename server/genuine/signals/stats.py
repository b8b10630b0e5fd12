"""Interval estimates shared by the signals: one implementation, so the badges agree.

Binomial shares (answered questions, flagged followers, a classifier's hit rates) get the
Wilson score interval (Wilson 1927) rather than the normal approximation, which is too narrow
and can leave [0, 1] at shares near 0 or 1 and at small samples, exactly where badges sit. A
difference of two independent shares gets Newcombe's hybrid score interval (Newcombe 1998,
method 10), built from the two Wilson intervals for the same reasons. A share observed under
right-censoring (questions still open when the data ends) gets the Kaplan-Meier estimate, with
a Wilson interval at its effective sample size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

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


def kaplan_meier(
    group: np.ndarray, n_groups: int, time: np.ndarray, event: np.ndarray, horizon: float
) -> KaplanMeier:
    """Share of items with an event by ``horizon``, per group, under right-censoring.

    ``time``: for an item with an event (an answer seen), when it came; for the others, how
    long the item was watched, where it is censored (capped at ``horizon``). The product-limit
    estimate (Kaplan & Meier 1958) of the share with an event by ``horizon`` is 1 - S(horizon),
    with Greenwood's variance; ``effective`` is the effective sample size S(1 - S) / Var (Dorey
    & Korn 1987), at which a Wilson interval is taken. Without censoring the share is events /
    items, Var is S(1 - S) / n and ``effective`` is n: the plain binomial case, kept exact.
    Vectorised over groups: ties put events before censorings, so one factor (1 - 1/at_risk) per
    event row multiplies to the textbook (1 - d/n) per distinct time.
    """
    group = np.asarray(group, dtype=np.int64)
    time = np.minimum(np.asarray(time, dtype=float), horizon)
    event = np.asarray(event, dtype=bool) & (time <= horizon)
    size = np.bincount(group, minlength=n_groups)
    order = np.lexsort((~event, time, group))
    g, e = group[order], event[order]
    starts = np.concatenate([[0], np.cumsum(size)])[:-1]
    at_risk = size[g] - (np.arange(len(g)) - starts[g])
    r = at_risk[e].astype(float)
    with np.errstate(divide="ignore"):
        log_s = np.bincount(g[e], weights=np.log1p(-1.0 / r), minlength=n_groups)
        green = np.bincount(g[e], weights=1.0 / (r * (r - 1.0)), minlength=n_groups)
    events = np.bincount(g[e], minlength=n_groups)
    survive = np.exp(log_s)
    share = np.round(1.0 - survive, 12)  # 0.9, not 0.8999999999, where the product is 9/10
    watched_through = np.bincount(group[~event & (time >= horizon)], minlength=n_groups)
    determined = events + watched_through  # items whose fate by the horizon is known
    with np.errstate(invalid="ignore", divide="ignore"):
        var = survive * survive * green
        effective = np.where(
            (share > 0) & (share < 1) & (var > 0), share * (1 - share) / var, determined
        )
        plain = determined == size  # nothing censored before the horizon: k / n exactly
        share[plain] = events[plain] / np.maximum(size[plain], 1)
    effective = np.where(plain, size, np.minimum(np.round(effective, 9), size)).astype(float)
    return KaplanMeier(size, events, share, effective, size - determined)


@dataclass(frozen=True, slots=True)
class KaplanMeier:
    """Per group: items, events seen, the estimated share by the horizon, effective sample size."""

    items: np.ndarray
    events: np.ndarray
    share: np.ndarray
    effective: np.ndarray
    censored: np.ndarray  # items watched for less than the horizon without an event

    def interval(self, i: int) -> tuple[float, float] | None:
        """95% Wilson interval at the effective sample size (exact 0 / 1 at the ends)."""
        n, p = float(self.effective[i]), float(self.share[i])
        if self.items[i] == 0:
            return None
        if n <= 0:
            return 0.0, 1.0
        plain = self.censored[i] == 0  # nothing censored: exactly the binomial interval
        lower, upper = wilson(int(self.events[i]) if plain else p * n, n)
        return (0.0 if p == 0 else lower, 1.0 if p == 1 else upper)
