"""Follow-back of strangers, measured against the graph's own baseline reciprocity.

A follow-back ring is a group of accounts that follow back whoever follows them. What
"whoever" means has to be measured: a stranger here is a follower that shares no mutual
follow with the account (no common mutual neighbour, the pair closes no triangle), so
friends, colleagues and fellow ring members never count as strangers, while the fans a
ring collects and the random accounts that follow anyone do. How often an account follows
back its strangers is then compared with how often the *typical account of the same
graph* does: reciprocity is ~15% on one network and 30% on another, and a fixed cut-off
fits only one of them.

- `stranger_counts`: per account, strangers following it and how many it follows back
  (one sparse product of the mutual graph, in row chunks of bounded work). Without follow
  times a mutual pair counts for both ends, so every account looks a little more
  reciprocal than it is (the baseline absorbs that); with them, only the follow that came
  first is a stranger's follow, and the answer to it the follow-back.
- `baseline_rate`: the platform's follow-back rate of strangers, pooled over accounts
  with each account's weight capped (a celebrity with a million followers counts no more
  than an ordinary account) and outliers on either side trimmed (ring members and lone
  follow-backers above, celebrities who follow back nobody below).
- `log_lr`: per account (or pooled per group), the log likelihood ratio of its counts under
  an elevated rate against the baseline — positive when the account follows back its
  strangers like a ring member, negative when it behaves like everybody else.

Pure numpy / scipy; no Flask, no database.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from genuine.signals import rings_graph as rg


def stranger_counts(
    index: rg.FollowIndex, adj: sparse.csr_matrix
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(strangers, followed back, stranger mask per follow) for every account.

    `adj` is the mutual graph the friendship test uses (hubs left out); a follow f -> i is
    from a stranger when f and i have no common neighbour in it, and (when follow times are
    known) when it is not itself f following back an earlier follow of i.
    """
    n = index.n_nodes
    fr, fe = index.follower.astype(np.int64), index.followee.astype(np.int64)
    friends = np.zeros(fr.size, dtype=bool)
    if adj.nnz:
        # Follows as a (followee, follower) matrix holding follow number + 1; multiplying it
        # element-wise by the two-hop pattern keeps exactly the follows between friends.
        deg = np.diff(adj.indptr)
        maybe = (deg[fr] > 0) & (deg[fe] > 0)
        rows = np.flatnonzero(maybe)
        follows = sparse.csr_matrix((rows + 1, (fe[rows], fr[rows])), shape=(n, n))
        work = np.cumsum(adj @ deg.astype(np.int64))
        start = 0
        while start < n:
            base = work[start - 1] if start else 0
            stop = int(np.searchsorted(work, base + rg.CHUNK_WORK, side="right"))
            stop = min(n, max(stop, start + 1))
            two_hop = adj[start:stop] @ adj
            two_hop.data[:] = 1
            hit = two_hop.multiply(follows[start:stop])
            friends[np.asarray(hit.data, dtype=np.int64) - 1] = True
            start = stop
    stranger = ~friends
    if index.followed_at is not None and index.mutual.any():
        # With follow times, a follow that answers one of the account's own (it came after
        # the account followed that person) is not a stranger to be followed back or not.
        m = np.flatnonzero(index.mutual)
        forward = fr * n + fe  # sorted: the index is sorted by (follower, followee)
        reverse = np.searchsorted(forward, fe[m] * n + fr[m])
        t = index.followed_at
        stranger[m[t[reverse] < t[m]]] = False
    total = np.bincount(fe[stranger], minlength=n)
    back = np.bincount(fe[stranger & index.mutual], minlength=n)
    return total, back, stranger


def baseline_rate(
    total: np.ndarray,
    back: np.ndarray,
    cap: int = 20,
    min_total: int = 5,
    trim_z: float = 3.0,
    prior_rate: float = 0.2,
    prior_weight: float = 50.0,
    count: np.ndarray | None = None,
) -> float:
    """The graph's typical follow-back rate of strangers (capped weights, trimmed outliers).

    Only accounts with at least `min_total` strangers count (a rate from one or two is
    noise), each weighing at most `cap` strangers. Accounts whose own rate is more than
    `trim_z` binomial standard errors from the current estimate are dropped and the rate
    re-estimated, a few times. `count` (optional) says how many accounts share each
    (total, back) pair, so a histogram of the pairs gives the same rate. A weak prior
    (`prior_weight` strangers at `prior_rate`) keeps tiny graphs, with hardly any ordinary
    accounts, from a baseline of 0 or 1.
    """
    keep = total >= max(min_total, 1)
    w = np.minimum(1.0, cap / np.maximum(total, 1))
    if count is not None:
        w = w * count
    rate = prior_rate
    for _ in range(5):
        k, s = float((back * w)[keep].sum()), float((total * w)[keep].sum())
        rate = (k + prior_rate * prior_weight) / (s + prior_weight)
        rate = min(max(rate, 0.01), 0.99)
        z = (back - total * rate) / np.sqrt(np.maximum(total, 1) * rate * (1 - rate))
        new_keep = (total >= max(min_total, 1)) & (np.abs(z) <= trim_z)
        if np.array_equal(new_keep, keep):
            break
        keep = new_keep
    return rate


def histogram(total: np.ndarray, back: np.ndarray) -> tuple[np.ndarray, ...]:
    """The distinct (total, back) pairs with total >= 1, sorted, and how many accounts have each."""
    seen = total >= 1
    pairs, count = np.unique(
        np.stack([total[seen], back[seen]], axis=1).astype(np.int64), axis=0, return_counts=True
    )
    return pairs[:, 0], pairs[:, 1], count


def graph_baseline(total: np.ndarray, back: np.ndarray, count: np.ndarray, p) -> float:
    """`baseline_rate` over a `histogram` with the ring parameters `p` (both engines)."""
    return baseline_rate(
        total,
        back,
        min_total=p.min_outside_followers,
        prior_rate=p.prior_rate,
        prior_weight=p.prior_weight,
        count=count,
    )


def elevated_rate(baseline: float, lift: float) -> float:
    """The alternative: `lift` of the way from the baseline to following back everyone."""
    return baseline + lift * (1.0 - baseline)


def log_lr(back, total, baseline: float, rate) -> np.ndarray:
    """Log likelihood ratio of `back` of `total` under `rate` against `baseline` (vectorised)."""
    hit, miss_term = lr_terms(baseline, rate)
    back = np.asarray(back, dtype=np.float64)
    miss = np.asarray(total, dtype=np.float64) - back
    return back * hit + miss * miss_term


def lr_terms(baseline: float, rate) -> tuple[np.ndarray, np.ndarray]:
    """The two logs of `log_lr`: per follow-back, and per stranger not followed back.

    The Spark engine computes these here and multiplies in the JVM, so both engines round
    alike.
    """
    rate = np.clip(np.asarray(rate, dtype=np.float64), 1e-6, 1 - 1e-6)
    return np.log(rate / baseline), np.log((1 - rate) / (1 - baseline))
