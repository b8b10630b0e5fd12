"""The reply-rate table of the methodology page, from the twcs sample (Customer Support on
Twitter, first 5,000 tweets): every figure in site/docs/methodology/reply-rate.md's "Check on
real data" section comes from this script.

    .venv/bin/python bench/reply_rate_twcs.py [--top 20]

Needs GENUINE_DATASETS_DIR (or ../shared/datasets). Customers' questions only (``inbound``),
as the badge would count them; a second column counts any author (other brands too), and the
last counts only questions addressed to that one account.
"""

from __future__ import annotations

import argparse
import os
from collections import Counter
from pathlib import Path

import numpy as np

from genuine.formats import read
from genuine.signals.posts import Posts
from genuine.signals.reply_rate import WINDOW_SECONDS, find_questions, reply_rates
from genuine.signals.stats import kaplan_meier
from genuine.signals.wording import duration, pct


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--top", type=int, default=20)
    args = parser.parse_args()
    default = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"
    root = Path(os.environ.get("GENUINE_DATASETS_DIR", default))
    records = list(read(root / "twcs-sample" / "twcs_head5000.csv", "twcs"))
    posts = Posts.from_records(records)
    inbound = np.array([rec.values["extra"]["inbound"] for rec in records])
    customers = reply_rates(posts, askable=inbound)
    anyone = reply_rates(posts)
    # Questions addressed to one account only: a post that names several is left out.
    q = find_questions(posts, askable=inbound)
    per_post = Counter(q.post.tolist())
    alone = np.array([per_post[p] == 1 for p in q.post.tolist()], dtype=bool) & q.counted
    time = np.where(q.answered, q.delay, q.watched)
    km = kaplan_meier(q.target[alone], len(q.names), time[alone], q.answered[alone], WINDOW_SECONDS)
    code = {h: i for i, h in enumerate(q.names)}

    names = {rec.values["author"].lower(): rec.values["author"] for rec in records}
    # Brands: accounts that wrote a tweet not marked inbound (customers are anonymised numbers,
    # and the numbers of brands' main accounts that customers mention are not brands here).
    brands = {rec.values["author"].lower() for rec in records if not rec.values["extra"]["inbound"]}
    scored = [r for r in customers.values() if r.sample_size and r.handle in brands]
    rows = sorted(scored, key=lambda r: -r.sample_size)
    print(
        "| brand | questions | answered | still open | share (95% interval) | median answer "
        "| level | counting other brands' tweets too (questions / answered) "
        "| questions to this account alone: answered |"
    )
    print("|---|--:|--:|--:|---|--:|---|---|---|")
    for r in rows[: args.top]:
        other = anyone[r.handle]
        both = (
            "same"
            if (other.sample_size, other.answered) == (r.sample_size, r.answered)
            else f"{other.sample_size} / {other.answered}"
        )
        i = code[r.handle]
        n, k = int(km.items[i]), int(km.events[i])
        only = f"{k} of {n} ({pct(float(km.share[i]))})" if k else "none"
        lo, hi = r.interval
        median = duration(r.median_reply_seconds) if r.median_reply_seconds else "–"
        print(
            f"| {names.get(r.handle, r.handle)} | {r.sample_size} | {r.answered} | {r.still_open} "
            f"| {pct(r.answered_share)} ({pct(lo).rstrip('%')}–{pct(hi)}) | {median} "
            f"| {r.level} | {both} | {only} |"
        )
    # Replies to a brand's tweet against tweets that only mention the brand (raw counts).
    to_brand = np.isin(q.target, [code[h] for h in brands if h in code]) & q.counted
    is_reply = posts.index.parent_author[q.post] == q.target
    for label, kind in (("replies to a brand tweet", is_reply), ("mentions only", ~is_reply)):
        sel = to_brand & kind
        print(f"{label}: {int((sel & q.answered).sum()):,} of {int(sel.sum()):,} answered")
    levels = Counter(r.level for r in scored)
    print(
        f"\n{len(scored)} brands with questions: {sum(r.sample_size for r in scored):,} questions,"
        f" {sum(r.answered for r in scored):,} answered, "
        f"{sum(r.still_open for r in scored)} still open when the file ends, "
        f"{sum(r.late_answers for r in scored)} answers after 7 days. Levels: "
        + ", ".join(f"{levels[x]} {x}" for x in ("responsive", "mixed", "unresponsive", "unknown"))
    )


if __name__ == "__main__":
    main()
