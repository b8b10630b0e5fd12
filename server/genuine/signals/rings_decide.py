"""The ring decision: indiscriminate follow-backers tied together, judged against the graph.

Steps (all whole-array numpy / scipy.sparse; see `genuine.signals.rings` for the rest):

1. Strangers and the baseline (`rings_stats`): per account, followers that share no
   mutual follow with it and how many of them it follows back; the graph's typical rate.
2. Candidates: measured accounts (>= `min_outside_followers` strangers) whose counts are
   likelier under the elevated rate (`lift` of the way from the baseline to 100%) than
   under the baseline (a positive log likelihood ratio); strong candidates are those
   where it is at least `candidate_llr` (3 to 1). A ring member who follows back half of
   15 strangers is no proof alone; the group is.
3. Circles: a candidate whose triangle-embedded mutual ties (friends of friends), their
   strangers pooled, follow back no more than the baseline sits in a circle of ordinary
   accounts (a team, a family): its few strangers are noise, and it is dropped.
4. Cores: the mutual graph among strong candidates, each keeping at least `min_ring_ties`
   ties (a k-core) and at least `peel_share` of the average tie count of the members it
   is tied to, connected components of at least `min_size`. Absolute structure: ties per
   member, not a density that falls as rings grow; the peeling drops bystanders (a fan
   followed back by three members of a ring of 200 is tied to it, not the way they are).
5. Growth: an account tied into a core joins it when its ties and its counts together
   say member rather than bystander: the sum of a log likelihood ratio for its tie count
   (a member's against a bystander's, both measured on the same group) and one for its
   strangers (the core's pooled rate against the baseline) is positive. The ring member
   whose few strangers happened to be followed back less joins on its ties; a fan that
   three members followed back does not. Members are then counted again without the
   strangers inside their own group and kept on the same test.
6. Decision per group: the pooled strangers of all its members are tested at once: their
   rate at least the elevated one, and the log likelihood ratio of that rate against the
   baseline at least `min_group_llr` (ln 10^6: a million to one). A dozen members' 15
   strangers each pool to hundreds of trials, so a ring following back half its
   strangers against a 30% baseline is clear where no single member is.
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
    elevated: float
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


def _cores(adj, keep: np.ndarray, p) -> tuple[np.ndarray, np.ndarray]:
    """Groups among `keep`: k-core, components, and peeling of the loosely tied.

    A member must hold at least `min_ring_ties` ties inside its group and at least
    `peel_share` of the average tie count of the members it is tied to: a bystander
    followed back by three members of a ring of 200 (or by two members each of two rings)
    is tied to them, but not the way they are tied to each other. Returns the group label
    and the in-group tie count per account.
    """
    cadj = rg.restrict(adj, keep)
    for _ in range(6):
        cadj = rg.restrict(cadj, rg.k_core(cadj, p.min_ring_ties))
        deg = np.diff(cadj.indptr).astype(np.float64)
        around = np.divide(cadj @ deg, deg, out=np.zeros(deg.size), where=deg > 0)
        loose = (deg > 0) & (deg < p.peel_share * around)
        if not loose.any():
            break
        cadj = rg.restrict(cadj, (deg > 0) & ~loose)
    group = rg.components(cadj, p.min_size)
    return group, np.where(group >= 0, np.diff(cadj.indptr), 0)


def _tie_evidence(index, adj, group: np.ndarray, outsiders: np.ndarray):
    """How much an account's ties into a group say member rather than bystander.

    Ties are modelled as Poisson counts: a member's with the mean tie count of the group's
    members (mu), a bystander's with the mean among outsiders tied to the group at all
    (nu; fans a ring followed back, accounts its members followed). Returns, per account,
    the log likelihood ratio t ln(mu/nu) - (mu - nu) for members (t = ties inside its own
    group), and for `outsiders` the group they are most tied to, those ties and the ratio.
    """
    n, n_g = index.n_nodes, int(group.max(initial=-1)) + 1
    coo = adj.tocoo()
    same = (group[coo.row] >= 0) & (group[coo.row] == group[coo.col])
    inside = np.bincount(coo.row[same], minlength=n)
    member = group >= 0
    size = np.bincount(group[member], minlength=n_g)
    mu = np.bincount(group[member], weights=inside[member], minlength=n_g) / np.maximum(size, 1)
    near, ties = _attach(index, adj, group, n_g, outsiders, 1)
    seen = near >= 0
    count = np.bincount(near[seen], minlength=n_g)
    nu = np.bincount(near[seen], weights=ties[seen], minlength=n_g) / np.maximum(count, 1)
    nu = np.maximum(nu, 1.0)
    mu = np.maximum(mu, nu)

    def llr(t, g):
        return t * np.log(mu[g] / nu[g]) - (mu[g] - nu[g])

    member_llr = np.zeros(n)
    member_llr[member] = llr(inside[member], group[member])
    outsider_llr = np.zeros(n)
    outsider_llr[seen] = llr(ties[seen], near[seen])
    return member_llr, near, ties, outsider_llr


def ordinary_circle(adj, rows, total, back, base: float, alt: float, p) -> np.ndarray:
    """Accounts in `rows` whose friends of friends, pooled, follow back like everybody.

    The triangle-embedded mutual ties of an account are its circle; when the circle's
    strangers, pooled, are likelier at the baseline than at the elevated rate, the account
    sits among ordinary accounts (a team, a family), whatever its own few strangers say.
    """
    embedded = rg.embedded_ties(adj, rows)
    nb_total, nb_back = embedded @ total, embedded @ back
    circle = rows & (nb_total >= p.min_outside_followers)
    return circle & (rs.log_lr(nb_back, nb_total, base, alt) < 0)


def pooled_rate(group, back, total, floor: float) -> np.ndarray:
    """Each group's pooled follow-back rate of strangers, never below `floor`."""
    n = int(group.max(initial=-1)) + 1
    inside = group >= 0
    k = np.bincount(group[inside], weights=back[inside], minlength=n)
    s = np.bincount(group[inside], weights=total[inside], minlength=n)
    rate = np.divide(k, s, out=np.full(n, floor), where=s > 0)
    return np.clip(rate, floor, 0.999)


def decide(index: rg.FollowIndex, adj, p) -> Decision:
    """Run steps 1-6 on the mutual graph `adj` (hubs already left out of it)."""
    total, back, stranger = rs.stranger_counts(index, adj)
    base = rs.graph_baseline(*rs.histogram(total, back), p)
    alt = rs.elevated_rate(base, p.lift)
    measured = total >= p.min_outside_followers
    llr = rs.log_lr(back, total, base, alt)
    hub = index.mutual_degree > p.max_mutual_degree
    candidate = measured & (llr > 0) & ~hub
    strong = llr > p.candidate_llr

    in_circle = ordinary_circle(adj, candidate, total, back, base, alt, p)

    core_group, _ = _cores(adj, candidate & strong & ~in_circle, p)
    n_core = int(core_group.max(initial=-1)) + 1

    # Growth: an account tied into a core joins it when its ties and its counts together
    # say member rather than bystander (see `_tie_evidence`).
    in_core = core_group >= 0
    rate = pooled_rate(core_group, back, total, alt)
    eligible = measured & ~hub & ~in_circle & ~in_core
    _, near, ties, tie_llr = _tie_evidence(index, adj, core_group, eligible)
    has = (near >= 0) & (ties >= p.min_ring_ties)
    fits = np.zeros(index.n_nodes, dtype=bool)
    fits[has] = tie_llr[has] + rs.log_lr(back[has], total[has], base, rate[near[has]]) > 0
    group = core_group.copy()
    group[fits] = near[fits]

    # Strangers from inside the group are no evidence that a member follows back anyone:
    # count again without them, and keep the members whose ties and counts still say member.
    fr, fe = index.follower, index.followee
    inner = stranger & (group[fr] >= 0) & (group[fr] == group[fe])
    total_out = total - np.bincount(fe[inner], minlength=index.n_nodes)
    back_out = back - np.bincount(fe[inner & index.mutual], minlength=index.n_nodes)
    rate = np.append(pooled_rate(group, back_out, total_out, alt), alt)[group]
    member_llr, _, _, _ = _tie_evidence(index, adj, group, measured & ~hub & (group < 0))
    keep_out = member_llr + rs.log_lr(back_out, total_out, base, rate) > 0
    keep_out &= total_out >= p.min_outside_followers
    group = rg.components(rg.restrict(adj, (group >= 0) & keep_out), p.min_size)
    n_core = int(group.max(initial=-1)) + 1
    total, back = np.where(group >= 0, total_out, total), np.where(group >= 0, back_out, back)

    # Decide per group on the pooled strangers of all its members.
    member = group >= 0
    k_g = np.bincount(group[member], weights=back[member], minlength=n_core)
    s_g = np.bincount(group[member], weights=total[member], minlength=n_core)
    size = np.bincount(group[member], minlength=n_core)
    q_g = np.divide(k_g, s_g, out=np.zeros(n_core), where=s_g > 0)
    # The group's own rate against the baseline (a generalised likelihood ratio), and that
    # rate at least the elevated one: significant *and* large.
    strong_g = rs.log_lr(k_g, s_g, base, np.clip(q_g, alt, 0.999)) >= p.min_group_llr
    ring = (size >= p.min_size) & (q_g >= alt) & strong_g
    ring_group = np.where(member & np.append(ring, False)[group], group, -1)
    return Decision(base, alt, total, back, measured, candidate, in_circle, ring_group, n_core)


def _groups_at(index: rg.FollowIndex, usable: np.ndarray, support: int, p):
    adj = rg.mutual_adjacency(index, usable)
    if p.method == "core":
        core = rg.k_core(adj, p.core_k)
        return rg.components(rg.mutual_adjacency(index, usable & core), p.min_size)
    core = rg.k_core(adj, support + 1)  # no edge outside it can have the support
    strong = rg.truss_edges(rg.mutual_adjacency(index, usable & core), support)
    return rg.components(rg.restrict(strong, rg.k_core(strong, p.min_ties)), p.min_size)


def context_groups(index: rg.FollowIndex, usable: np.ndarray, p) -> np.ndarray:
    """Dense mutual groups (label per account, -1 for none) by the configured method.

    These give the context for accounts whose follow-back cannot be measured (in a dense
    group, too few strangers: `unknown`, or a ring by advertised follow-back in bios); the
    ring decision itself is `decide`.

    A component that is too sparse as a whole (several rings and communities chained
    together by a few accounts) is searched again with one more triangle required per
    edge, until it splits into dense parts or `max_support` is reached; the parts still
    too sparse then are kept as groups (they define who is "outside") but never rings.
    """
    if p.method not in ("truss", "core"):
        raise ValueError(f"unknown method {p.method!r}; use 'truss' or 'core'")
    out = np.full(index.n_nodes, -1, dtype=np.int64)
    active, support, n_out = usable, p.min_support, 0
    while True:
        group = _groups_at(index, active, support, p)
        n = int(group.max(initial=-1)) + 1
        sparse_group = rg.group_density(index, group, n) < p.split_density
        last = p.method == "core" or support >= p.max_support
        done = (group >= 0) & (last | ~np.append(sparse_group, True)[group])
        _, relabel = np.unique(group[done], return_inverse=True)
        out[done] = relabel + n_out
        n_out += int(relabel.max()) + 1 if relabel.size else 0
        active = (group >= 0) & ~done
        if last or not active.any():
            return out
        support += 1
