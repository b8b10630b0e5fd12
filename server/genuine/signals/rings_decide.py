"""The ring decision: indiscriminate follow-backers tied together, judged against the graph.

Steps (all whole-array numpy / scipy.sparse; see `genuine.signals.rings` for the rest):

1. Strangers and the baseline (`rings_stats`): per account, followers that share no
   mutual follow with it and how many of them it follows back; the graph's typical rate.
2. Candidates: measured accounts (>= `min_outside_followers` strangers) whose counts are
   likelier under the elevated rate (`lift` of the way from the baseline to 100%) than
   under the baseline (a positive log likelihood ratio); strong candidates are those
   where it is at least `candidate_llr` (3 to 1). A ring member who follows back half of
   15 strangers is no proof alone; the group is.
3. Circles: a candidate whose triangle-embedded mutual ties go mostly to measured
   non-candidates sits in a circle of friends who behave like everybody else (a team, a
   family): its few strangers are noise, and it is dropped.
4. Cores: the mutual graph among strong candidates, each keeping at least `min_ring_ties`
   ties (a k-core) and at least `peel_share` of the ties of its group's median member,
   connected components of at least `min_size`. Absolute structure: ties per member, not
   a density that falls as rings grow; the peeling drops bystanders (a fan followed back
   by three members of a ring of 200 is tied to it, but not the way its members are).
5. Growth: a (not strong) candidate with as many ties into one core joins it: the ring
   member whose few strangers happened to be followed back less.
6. Decision per group: the pooled strangers of all its members are tested at once, the
   log likelihood ratio of the elevated rate against the baseline at least
   `min_group_llr` (ln 10^6: a million to one). A dozen members' 15 strangers each pool
   to hundreds of trials, so a ring following back half its strangers against a 30%
   baseline is clear where no single member is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from genuine.signals import rings_graph as rg
from genuine.signals import rings_stats as rs


@dataclass(frozen=True)
class Decision:
    """Per-account arrays behind the ring verdicts."""

    baseline: float
    strangers: np.ndarray
    strangers_back: np.ndarray
    measured: np.ndarray
    candidate: np.ndarray
    in_circle: np.ndarray
    ring_group: np.ndarray  # group label of reciprocity rings' members, -1 elsewhere
    n_groups: int


def _attach(index, adj, core_group, n_core, eligible, min_ties):
    """Best core group (and the ties into it) for every account outside the cores."""
    coo = adj.tocoo()
    a, b = coo.row, coo.col
    ok = (core_group[a] < 0) & (core_group[b] >= 0) & eligible[a]
    key = a[ok].astype(np.int64) * max(n_core, 1) + core_group[b[ok]]
    keys, ties = np.unique(key, return_counts=True)
    who, grp = keys // max(n_core, 1), keys % max(n_core, 1)
    order = np.lexsort((-ties, who))  # per account, most ties first
    who, grp, ties = who[order], grp[order], ties[order]
    first = np.ones(who.size, dtype=bool)
    first[1:] = who[1:] != who[:-1]
    best_group = np.full(index.n_nodes, -1, dtype=np.int64)
    best_ties = np.zeros(index.n_nodes, dtype=np.int64)
    best_group[who[first]], best_ties[who[first]] = grp[first], ties[first]
    best_group[best_ties < min_ties] = -1
    return best_group, best_ties


def _cores(adj, keep: np.ndarray, p) -> np.ndarray:
    """Groups among `keep`: k-core, components, and peeling of the loosely tied.

    A member must hold at least `min_ring_ties` ties inside its group and at least
    `peel_share` of the ties its group's median member holds: a bystander followed back by
    three members of a ring of 200 is tied to it, but not the way its members are.
    """
    cadj = rg.restrict(adj, keep)
    for _ in range(4):
        cadj = rg.restrict(cadj, rg.k_core(cadj, p.min_ring_ties))
        group = rg.components(cadj, p.min_size)
        deg = np.diff(cadj.indptr)
        inside = group >= 0
        median = _group_median(deg, group)
        loose = inside & (deg < p.peel_share * np.append(median, 0)[group])
        if not loose.any():
            break
        cadj = rg.restrict(cadj, inside & ~loose)
    else:
        group = rg.components(cadj, p.min_size)
    return group, _group_median(np.diff(cadj.indptr), group)


def _group_median(deg: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Median (upper) of `deg` per group label 0..n-1, by one sort."""
    inside = group >= 0
    n = int(group.max(initial=-1)) + 1
    if n == 0:
        return np.zeros(0)
    order = np.lexsort((deg[inside], group[inside]))
    size = np.bincount(group[inside], minlength=n)
    mid = np.cumsum(size) - size + size // 2
    return deg[inside][order][mid].astype(np.float64)


def decide(index: rg.FollowIndex, adj, p) -> Decision:
    """Run steps 1-6 on the mutual graph `adj` (hubs already left out of it)."""
    total, back, _ = rs.stranger_counts(index, adj)
    base = rs.baseline_rate(
        total,
        back,
        min_total=p.min_outside_followers,
        prior_rate=p.prior_rate,
        prior_weight=p.prior_weight,
    )
    alt = rs.elevated_rate(base, p.lift)
    measured = total >= p.min_outside_followers
    llr = rs.log_lr(back, total, base, alt)
    hub = index.mutual_degree > p.max_mutual_degree
    candidate = measured & (llr > 0) & ~hub
    strong = llr > p.candidate_llr

    embedded = rg.embedded_ties(adj, candidate)
    with_cand = embedded @ candidate.astype(np.int32)
    with_plain = embedded @ (measured & ~candidate).astype(np.int32)
    in_circle = candidate & (with_plain > with_cand) & (with_plain >= p.min_ring_ties)

    core_group, median = _cores(adj, candidate & strong & ~in_circle, p)
    n_core = int(core_group.max(initial=-1)) + 1

    in_core = core_group >= 0
    eligible = candidate & ~in_circle & ~in_core
    near, ties = _attach(index, adj, core_group, n_core, eligible, p.min_ring_ties)
    has = near >= 0
    fits = np.zeros(index.n_nodes, dtype=bool)
    fits[has] = ties[has] >= p.peel_share * median[near[has]]
    group = core_group.copy()
    group[fits] = near[fits]

    # Decide per group on the pooled strangers of all its members.
    member = group >= 0
    k_g = np.bincount(group[member], weights=back[member], minlength=n_core)
    s_g = np.bincount(group[member], weights=total[member], minlength=n_core)
    size = np.bincount(group[member], minlength=n_core)
    ring = (size >= p.min_size) & (rs.log_lr(k_g, s_g, base, alt) >= p.min_group_llr)
    ring_group = np.where(member & np.append(ring, False)[group], group, -1)
    return Decision(base, total, back, measured, candidate, in_circle, ring_group, n_core)
