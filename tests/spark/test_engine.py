"""Parity: the Spark engine and the in-process engine agree on every account and every ring.

Graphs from the synthetic generator: the default mix (rings, communities, camouflage), a
named one through the CLI's path (handles sorted as strings, bios with follow-back tags,
sign-up dates), and a small copy of the robustness sweep's hard cells (30% background
reciprocity, rings following back half their strangers, starter packs, lone follow-backers).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from genuine.cards.load import build_follow_data
from genuine.signals.rings import RingParams, detect_rings
from genuine.spark.engine import detect
from genuine.synthetic.graphs import generate

pytestmark = pytest.mark.slow
ARRAYS = ("status", "ring_index", "in_degree", "mutual_degree", "group_size")
ARRAYS += ("outside_followers", "outside_back")


def follows_frame(spark, follower, followee, followed_at):
    t = np.asarray(followed_at, dtype=np.float64)
    return spark.createDataFrame(
        pa.table(
            {
                "follower": pa.array(follower),
                "followee": pa.array(followee),
                "followed_at": pa.array(t, mask=~np.isfinite(t)),
            }
        )
    )


def assert_same(ref, res):
    assert ref.n_nodes == res.n_nodes
    for name in ARRAYS:
        np.testing.assert_array_equal(getattr(res, name), getattr(ref, name), err_msg=name)
    assert res.baseline == ref.baseline
    assert [r.to_dict() for r in res.rings] == [r.to_dict() for r in ref.rings]
    for i in range(ref.n_nodes):
        assert res.lookup(i).to_card() == ref.lookup(i).to_card(), i


def test_default_graph_by_integer_ids(spark):
    g = generate(n_follows=20_000, seed=0)
    ref = detect_rings(g.follower, g.followee, g.n_nodes, followed_at=g.followed_at)
    assert ref.rings and len(set(ref.status.tolist())) >= 4  # a graph worth comparing on
    df = follows_frame(spark, g.follower.astype(np.int64), g.followee.astype(np.int64),
                       g.followed_at)  # fmt: skip
    res, names = detect(df, n_nodes=g.n_nodes)
    assert names is None
    assert_same(ref, res)


def test_named_graph_with_bios_and_signups(spark):
    g = generate(n_follows=20_000, seed=5, hashtag_ring_share=1.0, bunched_ring_share=1.0)
    handles = np.array([f"user{i}.bsky.social" for i in range(g.n_nodes)], dtype=object)
    followers, followees = handles[g.follower].astype(str), handles[g.followee].astype(str)
    accounts = {
        "platform": np.full(g.n_nodes, "bluesky", dtype=object),
        "handle": handles.astype(str),
        "bio": np.asarray(g.bios, dtype=object),
        "created_at": np.asarray(g.created_at, dtype=np.float64),
    }
    platforms = np.full(followers.size, "bluesky", dtype=object).astype(str)
    (data,) = build_follow_data(platforms, followers, followees, g.followed_at, accounts)
    ref = data.detect()
    reasons = {r["code"] for ring in ref.rings for m in ring.evidence.values()
               for r in (x.to_dict() for x in m)}  # fmt: skip
    assert {"follow_back_hashtag", "bunched_creation"} & reasons  # the evidence is exercised
    df = follows_frame(spark, followers, followees, g.followed_at)
    created = np.asarray(g.created_at, dtype=np.float64)
    acc = spark.createDataFrame(
        pa.table(
            {
                "handle": pa.array(handles.astype(str)),
                "bio": pa.array(list(g.bios), type=pa.string()),
                "created_at": pa.array(created, mask=~np.isfinite(created)),
            }
        )
    )
    res, names = detect(df, acc, prefix="bluesky")
    np.testing.assert_array_equal(names, data.handles)
    assert_same(ref, res)
    assert res.labels is not None and (res.labels == ref.labels).all()


def test_hard_cell(spark):
    g = generate(
        n_follows=30_000,
        follows_per_ring=10_000,
        ring_size=(15, 15),
        ring_density=(0.15, 0.15),
        ring_follow_back=0.5,
        background_reciprocity=0.3,
        friend_reciprocity=0.3,
        starter_packs=1.0,
        pack_size=20,
        pack_followers=100,
        communities_per_ring=2.0,
        community_reciprocity=0.85,
        lone_follow_backers=3.0,
        seed=11,
    )
    params = RingParams()
    ref = detect_rings(g.follower, g.followee, g.n_nodes, followed_at=g.followed_at, params=params)
    assert ref.baseline > 0.2  # the high-reciprocity platform the cell is about
    df = follows_frame(spark, g.follower.astype(np.int64), g.followee.astype(np.int64),
                       g.followed_at)  # fmt: skip
    res, _ = detect(df, n_nodes=g.n_nodes, params=params)
    assert_same(ref, res)
