"""Follow-back ring detection on SYNTHETIC graphs (no public follow graph has ring labels).

The planted graphs come from genuine.synthetic.graphs; the hand-built ones below spell
out one situation each: a ring, a circle of colleagues, an isolated clique, thin data.
"""

from __future__ import annotations

import numpy as np
import pytest

from genuine.signals.rings import RingParams, detect_rings, ring_id
from genuine.signals.rings_evidence import follow_back_tag, lockstep_counts
from genuine.synthetic import graphs

T0 = 1_700_000_000


@pytest.fixture(scope="module")
def planted() -> graphs.SynthGraph:
    return graphs.generate(n_follows=150_000, follows_per_ring=7_500, seed=11)


@pytest.fixture(scope="module")
def planted_result(planted):
    g = planted
    return detect_rings(
        g.follower,
        g.followee,
        g.n_nodes,
        followed_at=g.followed_at,
        bios=g.bios,
        created_at=g.created_at,
    )


def precision_recall(predicted: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    hit = int((predicted & truth).sum())
    return hit / max(int(predicted.sum()), 1), hit / int(truth.sum())


def test_planted_rings_found_with_camouflage_and_communities(planted, planted_result):
    assert planted.community_of.max() >= 10 and planted.ring_of.max() >= 10
    precision, recall = precision_recall(planted_result.member_mask(), planted.ring_of >= 0)
    assert precision >= 0.95
    # The default generator's friendships are all mutual, so its ordinary accounts follow
    # back ~30% of strangers (60% without follow times); its rings of 8-9 members are too
    # few ties to be sure of. Recall here is ~0.9 (see the methodology page).
    assert recall >= 0.85


def test_genuine_communities_are_never_flagged(planted, planted_result):
    community = planted.community_of >= 0
    assert not (planted_result.member_mask() & community).any()
    levels = planted_result.levels()[community]
    assert set(levels) <= {"not_member", "unknown"}
    assert (levels == "not_member").mean() > 0.8


def test_heavier_camouflage_does_not_hurt():
    g = graphs.generate(n_follows=150_000, follows_per_ring=7_500, camouflage=4.0, seed=5)
    result = detect_rings(g.follower, g.followee, g.n_nodes, followed_at=g.followed_at)
    precision, recall = precision_recall(result.member_mask(), g.ring_of >= 0)
    assert precision >= 0.95 and recall >= 0.85


def test_rings_have_evidence_and_consistent_fields(planted, planted_result):
    codes = set()
    for ring in planted_result.rings:
        assert ring.size == len(ring.members) >= 5
        assert 0.3 <= ring.density <= 1
        assert ring.id.startswith("ring-")
        assert set(ring.evidence) == set(ring.members.tolist())
        for reasons in ring.evidence.values():
            assert reasons[0].code == "dense_mutual_group"
            codes.update(r.code for r in reasons)
            assert all(r.text for r in reasons)
    assert {"follows_back_strangers", "follow_back_hashtag", "lockstep_follows"} <= codes
    assert "bunched_creation" in codes


def test_lockstep_evidence_only_in_lockstep_rings(planted, planted_result):
    for ring in planted_result.rings:
        truth = np.bincount(planted.ring_of[ring.members] + 1).argmax() - 1
        lock = sum(any(r.code == "lockstep_follows" for r in rs) for rs in ring.evidence.values())
        if planted.lockstep_rings[truth]:
            assert lock >= 0.8 * ring.size
        else:
            assert lock <= 0.1 * ring.size


def test_lookup_of_members_and_non_members(planted, planted_result):
    member = int(np.flatnonzero(planted_result.member_mask())[0])
    verdict = planted_result.lookup(member)
    assert verdict.level == "member"
    ring = planted_result.ring(verdict.ring_id)
    assert ring is not None and member in ring.members
    assert verdict.to_card()["ring_size"] == ring.size
    levels = planted_result.levels()
    for account in range(0, planted.n_nodes, 97):
        assert planted_result.lookup(account).level == levels[account]
    assert planted_result.lookup(planted.n_nodes + 5).reasons[0].code == "not_in_data"


def test_ring_ids_are_stable_under_input_order(planted, planted_result):
    order = np.random.default_rng(0).permutation(planted.n_follows)
    again = detect_rings(
        planted.follower[order],
        planted.followee[order],
        planted.n_nodes,
        followed_at=planted.followed_at[order],
        bios=planted.bios,
        created_at=planted.created_at,
    )
    assert [r.id for r in again.rings] == [r.id for r in planted_result.rings]
    assert ring_id(["b", "a"]) == ring_id(["a", "b"])


# --- hand-built situations -------------------------------------------------------------


def clique(members: range) -> list[tuple[int, int]]:
    return [(a, b) for a in members for b in members if a != b]


def build(edges, times=None, **kw):
    arr = np.array(edges, dtype=np.int64)
    t = None if times is None else np.asarray(times, dtype=np.float64)
    return detect_rings(arr[:, 0], arr[:, 1], followed_at=t, **kw)


def strangers(members: range, per_member: int, follow_back: bool, start: int):
    """Each member gets `per_member` distinct strangers following it; maybe followed back."""
    edges, s = [], start
    for m in members:
        for _ in range(per_member):
            edges.append((s, m))
            if follow_back:
                edges.append((m, s))
            s += 1
    return edges, s


def test_follow_back_clique_is_a_ring_and_colleagues_are_not():
    ring = range(0, 10)
    colleagues = range(10, 20)
    edges = clique(ring) + clique(colleagues)
    more, nxt = strangers(ring, 8, follow_back=True, start=100)
    edges += more
    more, _ = strangers(colleagues, 8, follow_back=False, start=nxt)
    edges += more
    result = build(edges)
    assert len(result.rings) == 1
    assert sorted(result.rings[0].members.tolist()) == list(ring)
    assert result.rings[0].density == 1.0
    verdict = result.lookup(12)
    assert verdict.level == "not_member"
    assert "selective_follow_back" in {r.code for r in verdict.reasons}
    assert "followed back 0 of its 8 followers" in verdict.reasons[1].text


def test_isolated_clique_is_unknown_not_guessed():
    result = build(clique(range(8)))
    assert result.rings == []
    verdict = result.lookup(3)
    assert verdict.level == "unknown"
    assert [r.code for r in verdict.reasons] == ["in_dense_group", "outside_followers_few"]


def test_isolated_clique_advertising_follow_back_is_a_ring():
    bios = ["#TeamFollowBack" if i < 6 else "cats" for i in range(8)]
    result = build(clique(range(8)), bios=bios)
    assert len(result.rings) == 1
    codes = {r.code for r in result.rings[0].evidence[0]}
    assert "follow_back_hashtag" in codes


def test_thin_data_is_unknown_with_a_reason():
    edges = [*clique(range(6)), (50, 51), (52, 51)]
    more, _ = strangers(range(6), 6, follow_back=True, start=100)
    result = build(edges + more)
    verdict = result.lookup(51)
    assert verdict.level == "unknown"
    assert verdict.reasons[0].code == "thin_follow_data"
    assert "only 2 of its followers" in verdict.reasons[0].text
    assert result.lookup(0).level == "member"


def test_lockstep_and_spread_follows():
    edges = clique(range(8))
    more, _ = strangers(range(8), 6, follow_back=True, start=100)
    burst = [T0 + 60 * i for i in range(len(edges))]  # all within an hour
    spread = [T0 + 86400 * 7 * i for i in range(len(edges))]
    later = [T0 + 86400 * 400] * len(more)
    for times, expect in ((burst, True), (spread, False)):
        result = build(edges + more, times + later)
        codes = {r.code for r in result.rings[0].evidence[0]}
        assert ("lockstep_follows" in codes) is expect


def test_bunched_creation_dates():
    edges = clique(range(8))
    more, nxt = strangers(range(8), 6, follow_back=True, start=100)
    created = np.full(nxt, np.nan)
    created[:8] = T0 + np.arange(8) * 3600
    result = build(edges + more, created_at=created)
    reasons = result.rings[0].evidence[0]
    assert any(r.code == "bunched_creation" and "7 other" in r.text for r in reasons)


@pytest.mark.parametrize(
    ("bio", "tag"),
    [
        ("#TeamFollowBack #music", "#TeamFollowBack"),
        ("gaming | #F4F", "#F4F"),
        ("#IFB always", "#IFB"),
        ("I follow back!", "follow back"),
        ("#follow4follow", "#follow4follow"),
        ("#FollowBack", "#FollowBack"),
        ("back to work; following my dreams", None),
        ("Engineer at F4Foods", None),
        (None, None),
    ],
)
def test_follow_back_tags(bio, tag):
    assert follow_back_tag(bio) == tag


def test_lockstep_counts_per_account():
    follower = np.array([0, 0, 0, 1, 1])
    times = np.array([0, 100, 5000, 0, 9000])
    total, best = lockstep_counts(follower, times, 3, window=3600)
    assert total.tolist() == [3, 2, 0]
    assert best.tolist() == [2, 1, 0]


def test_core_method_runs_and_bad_inputs_are_refused(planted):
    g = planted
    result = detect_rings(g.follower, g.followee, g.n_nodes, params=RingParams(method="core"))
    assert not (result.member_mask() & (g.community_of >= 0)).any()
    with pytest.raises(ValueError, match="unknown method"):
        detect_rings(g.follower, g.followee, params=RingParams(method="magic"))
    with pytest.raises(ValueError, match="same length"):
        detect_rings(np.array([1, 2]), np.array([1]))
    with pytest.raises(ValueError, match="n_nodes"):
        detect_rings(np.array([1, 2]), np.array([2, 3]), n_nodes=3)
    with pytest.raises(ValueError, match="one entry per account"):
        detect_rings(np.array([0]), np.array([1]), bios=["a"])


def test_empty_graph():
    result = detect_rings(np.array([], dtype=int), np.array([], dtype=int))
    assert result.rings == [] and result.n_nodes == 0


# --- the decision is relative to the graph's own baseline (issue 12.1) -------------------


def sweep_graph(reciprocity: float, seed: int, **kw) -> graphs.SynthGraph:
    """A graph whose ordinary accounts follow back `reciprocity` of their followers."""
    return graphs.generate(
        n_follows=200_000,
        follows_per_ring=40_000,
        background_reciprocity=reciprocity,
        friend_reciprocity=reciprocity,
        community_reciprocity=0.85,
        **kw,
        seed=seed,
    )


@pytest.mark.parametrize("reciprocity", [0.05, 0.15, 0.3])
def test_planted_ring_found_under_different_baselines(reciprocity):
    g = sweep_graph(reciprocity, seed=21, ring_size=(60, 60), ring_density=(0.2, 0.2),
                    ring_follow_back=0.7)  # fmt: skip
    result = detect_rings(g.follower, g.followee, g.n_nodes)
    precision, recall = precision_recall(result.member_mask(), g.ring_of >= 0)
    assert precision >= 0.95 and recall >= 0.95
    # The baseline is measured, and it follows the platform's reciprocity (without follow
    # times a mutual pair counts for both ends, so it reads somewhat higher).
    assert reciprocity < result.baseline < reciprocity + 0.25


def test_dense_reciprocal_community_is_not_a_ring():
    # Communities as dense as 0.8 with 85% of their pairs mutual, among sparse rings.
    g = sweep_graph(0.15, seed=22, ring_size=(30, 30), ring_density=(0.3, 0.3),
                    community_density=(0.8, 0.8), community_size=(20, 60),
                    communities_per_ring=4)  # fmt: skip
    result = detect_rings(g.follower, g.followee, g.n_nodes)
    community = g.community_of >= 0
    assert community.sum() > 500
    assert (result.member_mask() & community).mean() <= 0.01
    assert set(result.levels()[community]) <= {"not_member", "unknown"}


def test_lone_follow_backer_is_not_a_ring():
    g = sweep_graph(0.15, seed=23, ring_size=(40, 40), ring_density=(0.3, 0.3),
                    lone_follow_backers=10)  # fmt: skip
    result = detect_rings(g.follower, g.followee, g.n_nodes)
    assert g.lone.sum() >= 40
    assert (result.member_mask() & g.lone).mean() <= 0.05
    lone = int(np.flatnonzero(g.lone & ~result.member_mask())[0])
    verdict = result.lookup(lone)
    assert verdict.level == "not_member"


def test_hand_built_lone_follow_backer():
    # One account follows back all 30 of its followers; nobody around it does.
    edges, nxt = strangers(range(1), 30, follow_back=True, start=10)
    more, _ = strangers(range(10, nxt), 6, follow_back=False, start=1000)
    result = build(edges + more)
    assert result.rings == []
    assert result.lookup(0).level == "not_member"
    assert "follows_back_strangers" in {r.code for r in result.lookup(0).reasons}


def test_starter_pack_burst_is_not_a_ring():
    # Bluesky starter packs: 300 accounts each follow a list of 50 within ten minutes; the
    # listed accounts answer at the ordinary rate. A burst of follows is not a ring.
    g = sweep_graph(0.15, seed=24, ring_size=(40, 40), ring_density=(0.3, 0.3),
                    starter_packs=2, pack_size=50, pack_followers=300)  # fmt: skip
    result = detect_rings(g.follower, g.followee, g.n_nodes, followed_at=g.followed_at,
                          bios=g.bios, created_at=g.created_at)  # fmt: skip
    listed = g.pack_of >= 0
    assert listed.sum() >= 200
    assert not (result.member_mask() & listed).any()
    precision, recall = precision_recall(result.member_mask(), g.ring_of >= 0)
    assert precision >= 0.95 and recall >= 0.95
