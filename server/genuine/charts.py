"""Report charts as SVG, drawn server-side with matplotlib so pages work without JavaScript.

Each chart comes with a sentence that says what it shows (the image's alt text), so
nothing is told by colour alone. Charts are drawn from a report's evidence only.
"""

from __future__ import annotations

import io
import math
from datetime import datetime
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

plt.rcParams.update(
    {
        "svg.fonttype": "none",  # text stays text: smaller, searchable, readable
        "svg.hashsalt": "genuine",  # stable ids, so the same evidence gives the same bytes
        "font.size": 10,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
)
INK, ACCENT, WARN = "#1f2933", "#1d4ed8", "#b42318"


def _svg(fig) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    return buffer.getvalue()


def followers(evidence: dict[str, Any]) -> tuple[str, str] | None:
    points = evidence.get("snapshots") or []
    if len(points) < 2:
        return None
    times = [datetime.fromisoformat(t) for t, _ in points]
    counts = [c for _, c in points]
    fig, ax = plt.subplots(figsize=(7, 2.8))
    ax.plot(times, counts, color=ACCENT, linewidth=1.8, label="followers")
    for jump in evidence.get("jumps") or []:
        if isinstance(jump["end"], str):
            end = datetime.fromisoformat(jump["end"])
            ax.axvline(end, color=WARN, linestyle="--", linewidth=1.2)
            ax.annotate(
                f"jump +{jump['change']:,}",
                (end, max(counts)),
                color=WARN,
                ha="right",
                va="top",
                xytext=(-4, 0),
                textcoords="offset points",
            )
    ax.set_ylabel("followers")
    fig.autofmt_xdate()
    jumps = len(evidence.get("jumps") or [])
    alt = f"Follower count over {len(points)} snapshots, from {counts[0]:,} to {counts[-1]:,}" + (
        f"; {jumps} unusual jump{'s' if jumps != 1 else ''} marked with dashed lines"
        if jumps
        else "; no unusual jumps"
    )
    return _svg(fig), alt


def fake_probabilities(evidence: dict[str, Any]) -> tuple[str, str] | None:
    probabilities = evidence.get("follower_probabilities") or []
    if not probabilities:
        return None
    fig, ax = plt.subplots(figsize=(7, 2.6))
    bins = [i / 20 for i in range(21)]
    ax.hist([p for p in probabilities if p < 0.5], bins=bins, color=ACCENT, label="looks genuine")
    ax.hist(
        [p for p in probabilities if p >= 0.5],
        bins=bins,
        color=WARN,
        hatch="//",
        label="looks fake",
    )
    ax.set_xlabel("probability that a sampled follower is fake")
    ax.set_ylabel("followers")
    ax.legend(frameon=False)
    fake = sum(p >= 0.5 for p in probabilities)
    alt = (
        f"Histogram of fake probabilities for {len(probabilities):,} sampled followers; "
        f"{fake:,} are at 0.5 or above (hatched) and {len(probabilities) - fake:,} below"
    )
    return _svg(fig), alt


def reply_delays(evidence: dict[str, Any]) -> tuple[str, str] | None:
    replies = evidence.get("replies") or []
    delays = [
        r["delay_seconds"] for r in replies if r["answered"] and r["delay_seconds"] is not None
    ]
    if not replies:
        return None
    unanswered = sum(not r["answered"] for r in replies)
    fig, ax = plt.subplots(figsize=(7, 2.6))
    if delays:
        # Doubling bins from one minute on a log axis: seconds and days on one chart.
        edges = [30.0]
        while edges[-1] < max(delays):
            edges.append(edges[-1] * 2)
        ax.hist([max(d, 30) for d in delays], bins=edges, color=ACCENT)
        ax.set_xscale("log")
        ticks = [t for t in (60, 900, 3600, 6 * 3600, 86400, 7 * 86400) if t <= edges[-1] * 2]
        ax.set_xticks(ticks, [_short(t) for t in ticks])
        ax.minorticks_off()
    ax.set_xlabel("time to answer")
    ax.set_ylabel("questions")
    ax.set_title(f"{len(delays)} answered, {unanswered} never answered", loc="left")
    alt = (
        f"Histogram of answer times for {len(delays)} answered questions"
        f" (log scale); {unanswered} of {len(replies)} questions shown got no answer"
    )
    return _svg(fig), alt


def _short(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:g} {unit}"
    return f"{seconds:g} s"


def ring(evidence: dict[str, Any], handle: str) -> tuple[str, str] | None:
    found = evidence.get("ring")
    if not found:
        return None
    members = found["members"]
    n = len(members)
    fig, ax = plt.subplots(figsize=(5.5, 5.5))
    xy = [(math.cos(2 * math.pi * i / n), math.sin(2 * math.pi * i / n)) for i in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            ax.plot(*zip(xy[i], xy[j], strict=True), color="#9aa5b1", linewidth=0.4)
    for (x, y), member in zip(xy, members, strict=True):
        this = member == handle
        ax.scatter(
            [x],
            [y],
            s=90 if this else 40,
            color=WARN if this else ACCENT,
            zorder=3,
            marker="s" if this else "o",
        )
        ax.annotate(
            member + (" (this account)" if this else ""),
            (x, y),
            fontsize=7,
            xytext=(6 * x, 6 * y),
            textcoords="offset points",
            ha="left" if x >= 0 else "right",
            va="center",
        )
    ax.set_axis_off()
    ax.set_aspect("equal")
    alt = (
        f"The {n} accounts of the ring drawn on a circle with lines between them; mutual-follow "
        f"density {found['density']:.0%}; this account is the square"
    )
    return _svg(fig), alt


def draw_all(evidence: dict[str, Any], handle: str) -> dict[str, dict[str, str]]:
    """Every chart the evidence supports: name -> {svg, alt}."""
    drawn = {
        "followers": followers(evidence),
        "fake_probabilities": fake_probabilities(evidence),
        "reply_delays": reply_delays(evidence),
        "ring": ring(evidence, handle),
    }
    return {name: {"svg": c[0], "alt": c[1]} for name, c in drawn.items() if c}
