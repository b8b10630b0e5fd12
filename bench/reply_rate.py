"""Benchmark: the reply-rate signal on SYNTHETIC posts (3 million by default).

    .venv/bin/python bench/reply_rate.py                     # 3M posts, baseline on 300k
    .venv/bin/python bench/reply_rate.py --posts 1000000 --baseline-posts 100000

The posts are made up here, as plain Python lists of strings like the format readers give:
authors drawn from a Zipf law over 200,000 accounts, times spread over 90 days, half of the
posts mention someone, 40% reply to one of the previous 1,000 posts, and a reply to a post
that mentions someone is written by that account 70% of the time (an answer). Times are epoch
seconds (no datetime conversion is timed).

Prints posts per CPU-second for indexing (`Posts.index`: handle codes, reply links,
mentions) and for scoring every addressed account (`reply_rates`), and peak memory. The work
is single-threaded, so CPU time equals wall time on an idle machine and stays steady when
other jobs share it. Baseline in the same run: a plain-Python count of the same definition
(dicts and loops, the same mention parser) on the first --baseline-posts posts, timed against
our code on that same slice; its per-account counts must equal ours, or the benchmark stops.
"""

from __future__ import annotations

import argparse
import resource
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import numpy as np

from genuine.signals.posts import Posts, mentioned_handles
from genuine.signals.reply_rate import WINDOW_SECONDS, reply_rates

Columns = dict[str, list[Any]]


def synthetic_posts(n: int, accounts: int, seed: int) -> Columns:
    rng = np.random.default_rng(seed)
    author = rng.zipf(1.5, n) % accounts
    mention = np.where(rng.random(n) < 0.5, rng.zipf(1.5, n) % accounts, -1)
    parent = np.arange(n) - rng.integers(1, 1000, n)
    parent = np.where((rng.random(n) < 0.4) & (parent >= 0), parent, -1)
    answer = (parent >= 0) & (mention[np.maximum(parent, 0)] >= 0) & (rng.random(n) < 0.7)
    author[answer] = mention[parent[answer]]
    t = np.sort(rng.uniform(0, 90 * 86400, n)) + 1.7e9
    return {
        "post_id": [f"p{i}" for i in range(n)],
        "author": [f"user{a}" for a in author.tolist()],
        "created_at": t.tolist(),
        "in_reply_to_post_id": [f"p{p}" if p >= 0 else None for p in parent.tolist()],
        "text": [f"@User{m} any news?" if m >= 0 else "just a post" for m in mention.tolist()],
    }


def head(cols: Columns, n: int) -> Columns:
    return {k: v[:n] for k, v in cols.items()}


def python_counts(cols: Columns) -> dict[str, tuple[int, int]]:
    """(questions counted, answered within the window) per addressed account, with dicts.

    The reply_rate definition restated in loops: replies to another account's post and
    mentions are questions, once per (post, account); the addressed account's earliest reply
    answers, within the window and before the data ends (later questions are censored, not
    left out: they count in the sample).
    """
    t, author = cols["created_at"], [a.lower() for a in cols["author"]]
    row = {pid: i for i, pid in enumerate(cols["post_id"])}
    first_answer: dict[tuple[int, str], float] = {}
    asked: set[tuple[int, str]] = set()
    for i, parent_id in enumerate(cols["in_reply_to_post_id"]):
        j = row.get(parent_id) if parent_id else None
        if j is not None:
            key = (j, author[i])
            first_answer[key] = min(first_answer.get(key, t[i]), t[i])
            if author[j] != author[i]:
                asked.add((i, author[j]))
    for i, text in enumerate(cols["text"]):
        for handle in mentioned_handles(text):
            if handle != author[i]:
                asked.add((i, handle))
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for i, target in asked:
        c = counts[target]
        c[0] += 1
        answered_at = first_answer.get((i, target))
        c[1] += answered_at is not None and max(answered_at - t[i], 0.0) <= WINDOW_SECONDS
    posted = set(author)  # like reply_rates: only accounts that posted get a result
    return {h: (n, k) for h, (n, k) in counts.items() if n and h in posted}


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    """The result and the CPU seconds it took: single-threaded work, so CPU time is what the
    wall clock shows on an idle machine, and other jobs on a busy one do not inflate it."""
    start = time.process_time()
    out = fn()
    return out, time.process_time() - start


def ours(cols: Columns) -> tuple[dict[str, tuple[int, int]], float, float, int]:
    posts = Posts(**cols)
    _, index_s = timed(lambda: posts.index)
    rates, score_s = timed(lambda: reply_rates(posts))
    counts = {h: (r.sample_size, r.answered) for h, r in rates.items() if r.sample_size}
    return counts, index_s, score_s, len(rates)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--posts", type=int, default=3_000_000)
    ap.add_argument("--accounts", type=int, default=200_000)
    ap.add_argument("--baseline-posts", type=int, default=300_000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    cols, gen_s = timed(lambda: synthetic_posts(args.posts, args.accounts, args.seed))
    print(f"SYNTHETIC data: {args.posts:,} posts, {args.accounts:,} accounts ({gen_s:.1f}s CPU)")

    m = min(args.baseline_posts, args.posts)
    small = head(cols, m)
    expected, base_s = timed(lambda: python_counts(small))
    got, index_s, score_s, _ = ours(small)
    if got != expected:
        raise SystemExit(f"counts differ from the plain-Python baseline on {m:,} posts")
    asked, answered = (sum(v) for v in zip(*got.values(), strict=True))
    print(
        f"\nslice of {m:,} posts: {len(got):,} accounts asked {asked:,} questions, "
        f"{answered / asked:.0%} answered (equal counts in both)"
    )
    print(f"  plain-Python dicts     {m / base_s:>12,.0f} posts/s  ({base_s:.2f}s CPU)")
    both = index_s + score_s
    print(f"  ours (index + score)   {m / both:>12,.0f} posts/s  ({both:.2f}s CPU)")
    print(f"  speed-up               {base_s / both:>12.1f}x")

    _, index_s, score_s, scored = ours(cols)
    n = args.posts
    print(f"\nall {n:,} posts ({scored:,} accounts scored):")
    print(f"  index (Posts.index)    {n / index_s:>12,.0f} posts/s  ({index_s:.2f}s CPU)")
    print(f"  score (reply_rates)    {n / score_s:>12,.0f} posts/s  ({score_s:.2f}s CPU)")
    print(f"  together               {n / (index_s + score_s):>12,.0f} posts/s")
    print(f"  plain Python at {m:,}, scaled linearly: about {n / m * base_s:.1f}s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    print(f"peak memory (ru_maxrss): {peak:.2f} GB")


if __name__ == "__main__":
    main()
