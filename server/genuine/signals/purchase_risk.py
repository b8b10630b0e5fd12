"""Follower-purchase risk: the share of fake followers in a sample, corrected for classifier error.

The classifier flags each sampled follower as fake or not. The raw share of flags (the
"apparent" share a) is biased: a classifier with sensitivity Se and specificity Sp flags
Se * p + (1 - Sp) * (1 - p) of a sample whose true fake share is p. Solving for p gives the
Rogan–Gladen estimator (Rogan & Gladen 1978, Am. J. Epidemiol. 107:71):

    p = (a + Sp - 1) / (Se + Sp - 1),   clipped to [0, 1].

Se and Sp are the classifier's cross-validated rates from the model artefact. When followers are
scored by different models (per platform schema), Se and Sp are the row-weighted averages of
those models' rates, which keeps the formula exact if the fake share does not depend on which
model scored a follower.

Interval (95%): the Wilson score interval for the apparent share, pushed through the formula at
the least favourable ends of the 95% Wilson intervals of Se and Sp (from their cross-validation
counts): lower = RG(a_lo, Se_hi, Sp_lo), upper = RG(a_hi, Se_lo, Sp_hi), clipped to [0, 1]. RG
falls as Se rises and rises with Sp while a < Se, so these corners bound it; taking them is
conservative (coverage at or above 95%, checked by simulation in the tests). It does not cover
the larger risk that the classifier's error rates on today's accounts differ from those measured
on the 2013-2015 training data; that is stated in the methodology, not hidden in the interval.

Levels, on the corrected share:

- low below 0.15: between 9% and 15% of active Twitter accounts are bots (Varol et al. 2017,
  "Online Human-Bot Interactions", ICWSM), so any public account collects that many without
  buying any; a share inside that background is not evidence of a purchase.
- high from 0.30: twice the top of that background; organic audiences rarely get there, while
  accounts that bought followers are usually dominated by them (the fake-follower markets of
  Cresci et al. 2015 sold thousands at a time).
- medium in between.
- unknown when fewer than MIN_SAMPLE followers could be scored (at 100 the Wilson half-width
  is at most about 0.10, less than the 0.15-wide medium band, so sampling noise alone cannot
  carry an account across the whole band), or when the interval reaches from the low band into
  the high band (the data cannot tell low from high).

A sample of the newest followers (what platform APIs list first) is not a random sample of the
audience: a recent purchase is over-represented and an old one missed. The estimate is still
given, with a caveat reason. Upward follower jumps (jumps.py) add reasons, and raise a low
level to medium (never to high on their own: a jump can also be a viral post).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from genuine.signals.jumps import JumpReport
from genuine.signals.stats import wilson

MIN_SAMPLE = 100
LOW_BELOW = 0.15
HIGH_FROM = 0.30


@dataclass
class PurchaseRisk:
    level: str  # low | medium | high | unknown
    score: float | None
    interval: tuple[float, float] | None
    sample_size: int
    reasons: list[dict[str, str]] = field(default_factory=list)
    apparent_share: float | None = None

    def to_card(self) -> dict[str, Any]:
        """The ``purchase_risk`` entry of a badge card (DESIGN.md)."""
        return {
            "level": self.level,
            "score": None if self.score is None else round(self.score, 4),
            "interval": None if self.interval is None else [round(v, 4) for v in self.interval],
            "sample_size": self.sample_size,
            "reasons": self.reasons,
        }


def rogan_gladen(apparent: float, sensitivity: float, specificity: float) -> float:
    """True prevalence from apparent prevalence and test accuracy, clipped to [0, 1]."""
    youden = sensitivity + specificity - 1
    if youden <= 0:
        raise ValueError("the classifier must beat chance (sensitivity + specificity > 1)")
    return min(1.0, max(0.0, (apparent + specificity - 1) / youden))


@dataclass(frozen=True)
class ErrorRates:
    """A classifier's measured accuracy: the counts behind sensitivity and specificity."""

    tp: int
    fn: int
    tn: int
    fp: int

    @property
    def sensitivity(self) -> float:
        return self.tp / (self.tp + self.fn)

    @property
    def specificity(self) -> float:
        return self.tn / (self.tn + self.fp)

    @classmethod
    def for_rows(cls, which: np.ndarray, models: Sequence[Any]) -> ErrorRates:
        """Rates for followers scored by `models[which[i]]` (classifier.Classifier.route)."""
        counts = np.bincount(which[which >= 0], minlength=len(models))
        used = [i for i in range(len(models)) if counts[i]]
        if not used:
            raise ValueError("no follower was scored by any model")
        rates = [cls(**{k: models[i].confusion[k] for k in ("tp", "fn", "tn", "fp")}) for i in used]
        return rates[0] if len(used) == 1 else cls.pooled(rates, counts[used])

    @classmethod
    def pooled(cls, rates: Sequence[ErrorRates], weights: Sequence[float]) -> ErrorRates:
        """Row-weighted average of several models' rates, kept as (fractional) counts."""
        w = np.asarray(weights, dtype=np.float64)
        w = w / w.sum()
        se = float(sum(wi * r.sensitivity for wi, r in zip(w, rates, strict=True)))
        sp = float(sum(wi * r.specificity for wi, r in zip(w, rates, strict=True)))
        n_pos = min(r.tp + r.fn for r in rates)
        n_neg = min(r.tn + r.fp for r in rates)
        return cls(se * n_pos, (1 - se) * n_pos, sp * n_neg, (1 - sp) * n_neg)


def corrected_interval(
    flagged: int, n: int, rates: ErrorRates
) -> tuple[float, tuple[float, float]]:
    """Rogan–Gladen point estimate and conservative 95% interval (see module docstring)."""
    a = flagged / n
    a_lo, a_hi = wilson(flagged, n)
    se_lo, se_hi = wilson(rates.tp, rates.tp + rates.fn)
    sp_lo, sp_hi = wilson(rates.tn, rates.tn + rates.fp)
    point = rogan_gladen(a, rates.sensitivity, rates.specificity)
    lower = rogan_gladen(a_lo, se_hi, sp_lo)
    upper = rogan_gladen(a_hi, se_lo, sp_hi)
    return point, (min(lower, point), max(upper, point))


def _level(score: float) -> str:
    if score < LOW_BELOW:
        return "low"
    return "high" if score >= HIGH_FROM else "medium"


def assess(
    is_fake: Sequence[int] | np.ndarray,
    rates: ErrorRates,
    *,
    newest_first: bool = False,
    jumps: JumpReport | None = None,
    min_sample: int = MIN_SAMPLE,
) -> PurchaseRisk:
    """Purchase risk from the classifier's 0/1 flags on a follower sample.

    Entries that are not 0 or 1 (-1 or NaN: no model could score that follower) are left out
    of the sample size and mentioned in the reasons.
    """
    flags = np.asarray(is_fake, dtype=np.float64)
    scored = (flags == 0) | (flags == 1)
    n, flagged = int(scored.sum()), int((flags == 1).sum())
    reasons: list[dict[str, str]] = []
    if (~scored).any():
        reasons.append(
            {
                "code": "unscored_followers",
                "text": f"{int((~scored).sum()):,} sampled followers could not be scored "
                "(profile fields missing)",
            }
        )
    if newest_first:
        reasons.append(
            {
                "code": "sample_newest_first",
                "text": "the sample is the newest followers, not a random draw: a recent "
                "purchase weighs more, an old one may be missed",
            }
        )
    jump_reasons = [r for r in (jumps.reasons if jumps else []) if r["code"] == "follower_jump"]
    if n < min_sample:
        reasons.insert(
            0,
            {
                "code": "sample_too_small",
                "text": f"only {n:,} followers scored; at least {min_sample:,} are needed",
            },
        )
        return PurchaseRisk("unknown", None, None, n, reasons + jump_reasons)
    point, interval = corrected_interval(flagged, n, rates)
    level = _level(point)
    summary = {
        "code": "fake_share",
        "text": f"{flagged:,} of {n:,} sampled followers look fake; corrected for the "
        f"classifier's error rates, about {point:.0%} ({interval[0]:.0%} to {interval[1]:.0%})",
    }
    reasons.insert(0, summary)
    if interval[0] < LOW_BELOW and interval[1] >= HIGH_FROM:
        level = "unknown"
        reasons.insert(
            1,
            {
                "code": "interval_too_wide",
                "text": "the interval spans both low and high: a bigger sample is needed",
            },
        )
    if jump_reasons and level == "low":
        level = "medium"
    return PurchaseRisk(level, point, interval, n, reasons + jump_reasons, flagged / n)
