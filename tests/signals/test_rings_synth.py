"""The SYNTHETIC graph generator: deterministic, well-formed, with the truth it promises."""

from __future__ import annotations

import numpy as np

from genuine.synthetic import graphs


def test_same_seed_same_graph_and_other_seed_differs():
    a = graphs.generate(n_follows=30_000, seed=3)
    b = graphs.generate(n_follows=30_000, seed=3)
    c = graphs.generate(n_follows=30_000, seed=4)
    assert np.array_equal(a.follower, b.follower) and np.array_equal(a.followee, b.followee)
    assert np.array_equal(a.followed_at, b.followed_at) and np.array_equal(a.ring_of, b.ring_of)
    assert not np.array_equal(a.follower[:100], c.follower[:100])


def test_graph_is_well_formed():
    g = graphs.generate(n_follows=50_000, follows_per_ring=5_000, seed=1)
    assert 0.8 * 50_000 <= g.n_follows <= 50_000
    assert (g.follower != g.followee).all()
    key = g.follower.astype(np.int64) * g.n_nodes + g.followee
    assert np.unique(key).size == key.size
    assert g.follower.max() < g.n_nodes and g.followee.max() < g.n_nodes
    assert g.bios.shape == g.created_at.shape == g.ring_of.shape == (g.n_nodes,)
    n_rings = g.ring_of.max() + 1
    assert n_rings == 10 == g.lockstep_rings.size
    assert (np.bincount(g.ring_of[g.ring_of >= 0]) >= 8).all()
    assert not ((g.ring_of >= 0) & (g.community_of >= 0)).any()
    assert (g.isolated <= (g.community_of >= 0)).all()


def test_rings_carry_their_planted_traits():
    g = graphs.generate(n_follows=50_000, follows_per_ring=5_000, seed=2)
    tagged = np.array([b is not None and ("#" in b or "F4F" in b) for b in g.bios])
    for r in range(g.ring_of.max() + 1):
        members = g.ring_of == r
        if g.hashtag_rings[r]:
            assert tagged[members].mean() > 0.3
        if g.bunched_rings[r]:
            assert np.ptp(g.created_at[members]) <= 3 * 86400


def test_write_dataset(tmp_path):
    g = graphs.generate(n_follows=2_000, seed=0)
    g.write_dataset(tmp_path, platform="bluesky")
    lines = (tmp_path / "follows.csv").read_text().splitlines()
    assert lines[0] == "platform,follower,followee,followed_at"
    assert len(lines) == g.n_follows + 1
    assert lines[1].startswith("bluesky,user") and lines[1].endswith("Z")
    accounts = (tmp_path / "accounts.csv").read_text().splitlines()
    assert len(accounts) == g.n_nodes + 1


def test_hard_negatives_are_planted():
    g = graphs.generate(n_follows=80_000, follows_per_ring=20_000, lone_follow_backers=3,
                        starter_packs=1, pack_size=30, pack_followers=100,
                        community_reciprocity=0.85, seed=5)  # fmt: skip
    assert g.lone.sum() == 12 and (g.pack_of >= 0).sum() == 4 * 30
    assert not (g.lone & (g.pack_of >= 0)).any() and not (g.celebrity & g.lone).any()
    # A pack's follower follows the whole list in one burst of ten minutes.
    listed = int(np.flatnonzero(g.pack_of >= 0)[0])
    fan = int(g.follower[g.followee == listed][0])
    burst = (g.follower == fan) & (g.pack_of[g.followee] == g.pack_of[listed])
    times = g.followed_at[burst]
    assert burst.sum() >= 25
    assert (np.abs(times - np.median(times)) <= 600).mean() >= 0.9
    # Lone follow-backers follow back most of their followers.
    lone = np.flatnonzero(g.lone)
    key = g.follower.astype(np.int64) * g.n_nodes + g.followee
    order = np.argsort(key)
    into = np.isin(g.followee, lone)
    rev = g.followee[into].astype(np.int64) * g.n_nodes + g.follower[into]
    at = np.minimum(np.searchsorted(key[order], rev), key.size - 1)
    answered = key[order][at] == rev
    assert answered.mean() >= 0.5
