"""Sudden follower-count jumps between snapshots: evidence for the purchase-risk badge.

Bought followers usually arrive in bulk, within hours or days of the order, on top of an
account's ordinary growth. Given follower counts at irregular times, each interval between
consecutive snapshots is compared with the account's own typical growth:

    d_i   = days between snapshots i-1 and i
    r_i   = change_i / d_i                      (followers per day)
    m     = median of r, each weighted by d_i   (typical daily growth; a snapshot pair minutes
                                                 apart weighs little)
    u_i   = (change_i - m * d_i) / sqrt(max(d_i, MIN_DAYS))
                                                (excess growth, scaled as for a random walk, whose
                                                 spread grows with the square root of time; never
                                                 scaled below a day, so a handful of follows
                                                 minutes apart is not a huge jump)
    s     = 1.4826 * MAD(u)                     (robust standard deviation of u)
    z_i   = (u_i - median(u)) / s

The median and the median absolute deviation (MAD) ignore the jumps themselves, unlike a mean
and standard deviation that a single big purchase would inflate until it hid itself. An
interval is flagged when |z| >= Z_THRESHOLD (3.5, the cut-off Iglewicz and Hoaglin recommend
for modified z-scores) and the change is also material: at least MIN_SHARE of the follower
count before it and at least MIN_CHANGE followers, so that a flat series (MAD near zero) does
not flag every wobble. With fewer than MIN_INTERVALS intervals nothing is flagged: there is no
baseline to compare with.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

Z_THRESHOLD = 3.5
MIN_INTERVALS = 5
MIN_DAYS = 1.0
MIN_SHARE = 0.05
MIN_CHANGE = 50
_FLOOR = 1.0  # followers per sqrt(day): the smallest spread we believe in


@dataclass(frozen=True)
class Jump:
    start: datetime | float
    end: datetime | float
    change: int
    expected: float
    z: float

    @property
    def direction(self) -> str:
        return "up" if self.change > self.expected else "down"


@dataclass
class JumpReport:
    jumps: list[Jump]
    intervals: int
    typical_daily_change: float | None
    reasons: list[dict[str, str]] = field(default_factory=list)

    @property
    def up(self) -> list[Jump]:
        return [j for j in self.jumps if j.direction == "up"]


def _days(times: Sequence[datetime] | np.ndarray) -> np.ndarray:
    if len(times) and isinstance(times[0], datetime):
        return np.array([t.timestamp() for t in times], dtype=np.float64) / 86400.0
    return np.asarray(times, dtype=np.float64) / 86400.0


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    order = np.argsort(values)
    cum = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cum, cum[-1] / 2)])


def find_jumps(
    times: Sequence[datetime] | np.ndarray,
    followers: Sequence[int] | np.ndarray,
    z_threshold: float = Z_THRESHOLD,
) -> JumpReport:
    """Flag follower-count jumps in one account's snapshots (times: datetimes or epoch seconds).

    Snapshots are sorted by time; snapshots at the same instant keep the last count.
    """
    t = _days(times)
    y = np.asarray(followers, dtype=np.float64)
    if t.shape != y.shape:
        raise ValueError("times and followers must have the same length")
    order = np.argsort(t, kind="stable")
    t, y = t[order], y[order]
    keep = np.append(np.diff(t) > 0, True)[: len(t)]  # empty input stays empty
    t, y = t[keep], y[keep]
    stamps = [times[i] for i in order[keep]] if len(times) else []
    n = len(t) - 1
    if n < MIN_INTERVALS:
        reason = {
            "code": "few_snapshots",
            "text": f"{n + 1 if n >= 0 else 0} follower snapshots: too few to spot jumps "
            f"(need {MIN_INTERVALS + 1})",
        }
        return JumpReport([], max(n, 0), None, [reason])
    days = np.diff(t)
    change = np.diff(y)
    typical = _weighted_median(change / days, days)
    u = (change - typical * days) / np.sqrt(np.maximum(days, MIN_DAYS))
    centre = np.median(u)
    scale = max(1.4826 * float(np.median(np.abs(u - centre))), _FLOOR)
    z = (u - centre) / scale
    material = np.abs(change - typical * days) >= np.maximum(MIN_SHARE * y[:-1], MIN_CHANGE)
    flagged = np.flatnonzero((np.abs(z) >= z_threshold) & material)
    jumps = [
        Jump(stamps[i], stamps[i + 1], int(change[i]), float(typical * days[i]), float(z[i]))
        for i in flagged
    ]
    reasons = []
    for j in jumps:
        when = j.end.date().isoformat() if isinstance(j.end, datetime) else f"{j.end:.0f}"
        verb = "gained" if j.change >= 0 else "lost"
        reasons.append(
            {
                "code": "follower_jump" if j.direction == "up" else "follower_drop",
                "text": f"{verb} {abs(j.change):,} followers in the interval ending {when} "
                f"(about {j.expected:,.0f} expected)",
            }
        )
    return JumpReport(jumps, n, typical, reasons)
