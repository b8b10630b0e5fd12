"""Follow-back ring detection: groups of accounts that follow each other for the sake of it.

Pure functions over arrays (no Flask, no database). The method, in the order it runs:

1. Mutual graph. Keep only follows that are followed back. Camouflage — ring members
   following popular accounts that never follow back — does not survive this step.
2. Follow-back of strangers against the graph's own baseline (`rings_stats`): a stranger is
   a follower sharing no mutual follow with the account; the baseline is the typical
   account's rate in the same data, so nothing depends on one platform's reciprocity.
3. The decision (`rings_decide`): accounts likelier elevated than baseline, minus those
   embedded in circles of ordinary accounts, tied into groups by absolute structure (at
   least `min_ring_ties` mutual ties each, `min_size` members), plus the accounts tied into
   a group that do not contradict it; a group is a ring when its pooled strangers are
   followed back far above the baseline (a million-to-one likelihood ratio).
4. Dense groups by triangle support (an approximate k-truss) give the context for accounts
   whose follow-back cannot be measured (too few strangers): such a group is a ring only
   when most of it advertises following back in bios, else its members are `unknown`.
5. Corroborating evidence per member: follow-back hashtags, follows made in lockstep,
   registrations bunched in time. Reported, never decisive on their own.

Planted-truth graphs: `genuine.synthetic.graphs`; measured figures: the methodology page.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np

from genuine.signals import rings_decide as rd
from genuine.signals import rings_evidence as ev
from genuine.signals import rings_graph as rg
from genuine.signals import rings_stats as rs
from genuine.signals.rings_evidence import Reason

MEMBER, NOT_MEMBER, UNKNOWN = "member", "not_member", "unknown"
# Per-account status codes kept in RingResult.status.
S_MEMBER, S_NO_GROUP, S_SELECTIVE, S_UNMEASURED, S_LONE, S_THIN, S_HUB, S_CIRCLE = range(8)


@dataclass(frozen=True)
class RingParams:
    """Thresholds; the methodology note explains each value."""

    method: str = "truss"  # "truss" (default) or "core" (k-core, kept for comparison)
    min_support: int = 1
    max_support: int = 8
    min_ties: int = 3
    core_k: int = 5
    min_size: int = 5
    split_density: float = 0.3
    min_outside_followers: int = 5
    lift: float = 0.2
    candidate_llr: float = 1.1
    min_ring_ties: int = 3
    peel_share: float = 0.3
    min_group_llr: float = 13.8
    prior_rate: float = 0.2
    prior_weight: float = 200.0
    min_indiscriminate: int = 3
    hashtag_share: float = 0.5
    min_followers_known: int = 5
    max_mutual_degree: int = 5000
    lockstep_window: int = 7200
    lockstep_min: int = 3
    created_window: int = 3 * 86400


@dataclass(frozen=True)
class Ring:
    """One detected ring: a stable id, its member ids, size, density and evidence."""

    id: str
    members: np.ndarray
    density: float
    evidence: dict[int, tuple[Reason, ...]]

    @property
    def size(self) -> int:
        return int(self.members.size)

    def to_dict(self, labels: np.ndarray | None = None) -> dict[str, object]:
        name = (lambda i: str(labels[i])) if labels is not None else str
        return {
            "id": self.id,
            "members": [name(i) for i in self.members.tolist()],
            "size": self.size,
            "density": round(self.density, 4),
            "evidence": {name(i): [r.to_dict() for r in rs] for i, rs in self.evidence.items()},
        }


@dataclass(frozen=True)
class AccountVerdict:
    """The follow_back_ring badge for one account (see the badge card in DESIGN.md)."""

    level: str
    reasons: tuple[Reason, ...]
    ring_id: str | None = None
    ring_size: int | None = None
    density: float | None = None

    def to_card(self) -> dict[str, object]:
        """The ``follow_back_ring`` entry of a badge card (DESIGN.md)."""
        return {
            "level": self.level,
            "ring_id": self.ring_id,
            "ring_size": self.ring_size,
            "density": None if self.density is None else round(self.density, 4),
            "reasons": [r.to_dict() for r in self.reasons],
        }


@dataclass
class RingResult:
    """Rings plus the per-account arrays behind `lookup`."""

    rings: list[Ring]
    params: RingParams
    ring_index: np.ndarray
    status: np.ndarray
    in_degree: np.ndarray
    mutual_degree: np.ndarray
    group_size: np.ndarray
    outside_followers: np.ndarray
    outside_back: np.ndarray
    labels: np.ndarray | None = None
    baseline: float = 0.0
    _by_id: dict[str, int] = field(default_factory=dict, repr=False)

    @property
    def n_nodes(self) -> int:
        return int(self.status.size)

    def member_mask(self) -> np.ndarray:
        return self.ring_index >= 0

    def levels(self) -> np.ndarray:
        """Level per account as strings, vectorised (for batch badge computation)."""
        out = np.full(self.n_nodes, NOT_MEMBER, dtype=object)
        out[np.isin(self.status, (S_UNMEASURED, S_THIN, S_HUB))] = UNKNOWN
        out[self.status == S_MEMBER] = MEMBER
        return out

    def lookup(self, account: int) -> AccountVerdict:
        """Verdict for one account id (ids outside 0..n_nodes-1 have no follow data)."""
        p = self.params
        if not 0 <= account < self.n_nodes:
            return AccountVerdict(UNKNOWN, (Reason("not_in_data", "no follows of it were seen"),))
        s = int(self.status[account])
        if s == S_MEMBER:
            ring = self.rings[int(self.ring_index[account])]
            return AccountVerdict(MEMBER, ring.evidence[account], ring.id, ring.size, ring.density)
        followers, back = int(self.in_degree[account]), int(self.mutual_degree[account])
        overall = Reason(
            "overall_follow_back",
            f"follows back {back} of its {followers} followers"
            + (f" ({ev.pct(back / followers)})" if followers else ""),
        )
        out_f, out_b = int(self.outside_followers[account]), int(self.outside_back[account])
        group = int(self.group_size[account])
        if s == S_THIN:
            why = Reason(
                "thin_follow_data",
                f"only {followers} of its followers are in the data; judging follow-back "
                f"behaviour needs at least {p.min_followers_known}",
            )
            return AccountVerdict(UNKNOWN, (why,))
        if s == S_HUB:
            why = Reason(
                "too_many_mutuals",
                f"has {back} mutual follows, more than the {p.max_mutual_degree} the group "
                "analysis handles",
            )
            return AccountVerdict(UNKNOWN, (why, overall))
        if s == S_NO_GROUP:
            why = Reason(
                "no_dense_group",
                f"is not part of a dense group of at least {p.min_size} accounts that follow "
                "each other",
            )
            return AccountVerdict(NOT_MEMBER, (why, overall))
        in_group = (
            Reason("in_dense_group", f"belongs to a dense mutual-follow group of {group} accounts")
            if group
            else Reason("no_dense_group", "is not part of a dense group of accounts")
        )
        fb = ev.follow_back_reason(out_f, out_b, p.min_outside_followers, self.baseline, p.lift)
        if s == S_UNMEASURED:
            return AccountVerdict(UNKNOWN, (in_group, fb))
        if s == S_SELECTIVE:
            return AccountVerdict(NOT_MEMBER, (in_group, fb))
        if s == S_CIRCLE:
            circle = Reason(
                "selective_circle",
                "most of its mutual follows among friends of friends are with accounts that "
                "follow back strangers no more than usual: a circle of friends or colleagues, "
                "not a ring",
            )
            return AccountVerdict(NOT_MEMBER, (in_group, fb, circle))
        lone = Reason(
            "no_ring_around_it",
            "no group of accounts that also follow back strangers is tied to it by mutual "
            "follows, so it is not in a ring",
        )
        return AccountVerdict(NOT_MEMBER, (in_group, fb, lone))

    def ring(self, ring_id: str) -> Ring | None:
        if not self._by_id:
            self._by_id.update({r.id: i for i, r in enumerate(self.rings)})
        i = self._by_id.get(ring_id)
        return None if i is None else self.rings[i]


def ring_id(names: list[str]) -> str:
    """Stable id: a hash of the sorted member names, so reruns give the same id."""
    digest = hashlib.sha256("\n".join(sorted(names)).encode("utf-8")).hexdigest()
    return f"ring-{digest[:16]}"


def detect_rings(
    follower: np.ndarray,
    followee: np.ndarray,
    n_nodes: int | None = None,
    *,
    followed_at: np.ndarray | None = None,
    bios: np.ndarray | list[str | None] | None = None,
    created_at: np.ndarray | None = None,
    labels: np.ndarray | None = None,
    params: RingParams | None = None,
) -> RingResult:
    """Find follow-back rings in follows given as two integer id arrays.

    `followed_at` (seconds, one per follow), `bios` and `created_at` (seconds, one per
    account) are optional evidence. `labels` (one name per account, e.g. handles) are used
    for the stable ring ids and in `Ring.to_dict`; without them ids hash the integers.
    """
    p = params or RingParams()
    index = rg.build_index(follower, followee, n_nodes, followed_at)
    n = index.n_nodes
    for name, values in (("created_at", created_at), ("labels", labels)):
        if values is not None and np.shape(values) != (n,):
            raise ValueError(f"{name} must have one entry per account ({n})")
    hub = index.mutual_degree > p.max_mutual_degree
    adj = rg.mutual_adjacency(index, ~hub)
    d = rd.decide(index, adj, p)
    # Structural context for those whose follow-back cannot be measured (see step 4).
    group = rd.context_groups(index, ~hub & ~(d.ring_group >= 0), p)
    tags, tagged = follow_back_tags(bios, (group >= 0) | (d.ring_group >= 0), n)
    # Too few strangers of its own, but its circle is measurably ordinary: not a ring member.
    unmeasured = (group >= 0) & ~d.measured
    circle = rd.ordinary_circle(adj, unmeasured, d.strangers, d.strangers_back, d.baseline,
                                d.elevated, p)  # fmt: skip
    final, status, group_size = verdicts(d, group, circle, tagged, index.in_degree, hub, p)
    n_final = int(final.max(initial=-1)) + 1
    density = rg.group_density(index, final, n_final)
    rings = build_rings(index, final, density, tags, created_at, labels, p, d)
    ring_index = np.full(n, -1, dtype=np.int64)
    for i, ring in enumerate(rings):
        ring_index[ring.members] = i
    return RingResult(
        rings=rings,
        params=p,
        ring_index=ring_index,
        status=status,
        in_degree=index.in_degree,
        mutual_degree=index.mutual_degree,
        group_size=group_size,
        outside_followers=d.strangers,
        outside_back=d.strangers_back,
        labels=None if labels is None else np.asarray(labels),
        baseline=d.baseline,
    )


def verdicts(d: rd.Decision, group, circle, tagged, in_degree, hub, p: RingParams):
    """The final ring groups, the status per account and its dense group's size (steps 3-4).

    `d` is the reciprocity decision, `group` the dense (context) group per account, `circle`
    the unmeasured accounts whose circle is measurably ordinary and `tagged` the accounts
    advertising follow-back. Shared by both engines (the Spark job collects these arrays).
    Returns (final group per account or -1, status codes, context group size or 0).
    """
    n = group.size
    n_groups = int(group.max(initial=-1)) + 1
    size = np.bincount(group[group >= 0], minlength=n_groups)
    in_group = group >= 0
    k_g = np.bincount(group[in_group], weights=d.strangers_back[in_group], minlength=n_groups)
    s_g = np.bincount(group[in_group], weights=d.strangers[in_group], minlength=n_groups)
    n_tagged = np.bincount(group[in_group & tagged], minlength=n_groups)
    no_contrary = rs.log_lr(k_g, s_g, d.baseline, rs.elevated_rate(d.baseline, p.lift)) >= 0
    by_hashtag = (size >= p.min_size) & no_contrary
    by_hashtag &= n_tagged >= np.maximum(p.hashtag_share * size, p.min_indiscriminate)
    final = d.ring_group.copy()
    tagged_ring = in_group & np.append(by_hashtag, False)[group]
    final[tagged_ring] = group[tagged_ring] + d.n_groups
    _, final[final >= 0] = np.unique(final[final >= 0], return_inverse=True)
    member = final >= 0

    status = np.full(n, S_NO_GROUP, dtype=np.int8)
    context = in_group | d.candidate
    status[context] = S_LONE
    status[in_group & ~d.measured] = S_UNMEASURED
    status[context & d.measured & ~d.candidate] = S_SELECTIVE
    status[d.in_circle] = S_CIRCLE
    status[circle] = S_CIRCLE
    status[(status == S_NO_GROUP) & (in_degree < p.min_followers_known)] = S_THIN
    status[hub] = S_HUB
    status[member] = S_MEMBER
    return final, status, np.append(size, 0)[group]


def follow_back_tags(
    bios: np.ndarray | list[str | None] | None, wanted: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Follow-back tag per account (and a mask), looked up only for `wanted` accounts."""
    tags = np.full(n, None, dtype=object)
    tagged = np.zeros(n, dtype=bool)
    if bios is None:
        return tags, tagged
    bio_arr = np.asarray(bios, dtype=object)
    if bio_arr.shape != (n,):
        raise ValueError(f"bios must have one entry per account ({n}), got {bio_arr.shape}")
    for i in np.flatnonzero(wanted).tolist():
        tags[i] = ev.follow_back_tag(bio_arr[i])
        tagged[i] = tags[i] is not None
    return tags, tagged


def build_rings(index, final, density, tags, created_at, labels, p, d) -> list[Ring]:
    """Ring objects with per-member reasons; loops run per ring, never per edge.

    `index` needs to hold only the follows among members (the Spark engine passes those).
    """
    member = final >= 0
    out_f, out_b, baseline = d.strangers, d.strangers_back, d.baseline
    g_src, g_dst = final[index.follower], final[index.followee]
    inside = member[index.follower] & (g_src == g_dst)
    mutual_in = np.bincount(index.follower[inside & index.mutual], minlength=index.n_nodes)
    if index.followed_at is not None:
        timed = inside & np.isfinite(index.followed_at)
        total, best = ev.lockstep_counts(
            index.follower[timed],
            index.followed_at[timed].astype(np.int64),
            index.n_nodes,
            p.lockstep_window,
        )
    rings = []
    order = np.argsort(final, kind="stable")
    bounds = np.searchsorted(final[order], np.arange(density.size + 1))
    for g in range(density.size):
        members = np.sort(order[bounds[g] : bounds[g + 1]])
        peers = None
        if created_at is not None:
            born = np.asarray(created_at, dtype=np.float64)[members]
            peers = np.zeros(members.size, dtype=np.int64)
            known = np.isfinite(born)
            peers[known] = ev.creation_peers(born[known], p.created_window)
        names = [str(labels[i]) if labels is not None else str(i) for i in members.tolist()]
        evidence: dict[int, tuple[Reason, ...]] = {}
        for k, i in enumerate(members.tolist()):
            reasons = [
                ev.dense_reason(int(mutual_in[i]), members.size, float(density[g])),
                ev.follow_back_reason(
                    int(out_f[i]), int(out_b[i]), p.min_outside_followers, baseline, p.lift
                ),
            ]
            if tags[i]:
                reasons.append(ev.hashtag_reason(tags[i]))
            if index.followed_at is not None and best[i] >= max(p.lockstep_min, total[i] / 2):
                reasons.append(ev.lockstep_reason(int(best[i]), int(total[i]), p.lockstep_window))
            if peers is not None and peers[k] >= max(2, (members.size - 1) // 4):
                reasons.append(ev.creation_reason(int(peers[k]), p.created_window))
            evidence[i] = tuple(reasons)
        rings.append(Ring(ring_id(names), members, float(density[g]), evidence))
    rings.sort(key=lambda r: (-r.size, r.id))
    return rings
