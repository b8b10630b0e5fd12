"""bench/rings_spark_data.py: SYNTHETIC chunks written in the export layout with integer ids,
read back by load_input (disjoint chunks: no duplicate or self-follow across them)."""

from __future__ import annotations

import numpy as np
import pyarrow.parquet as pq
from bench.rings_spark_data import write_synthetic

from genuine.spark.input import load_input
from genuine.synthetic import graphs


def test_chunks_are_disjoint_graphs_in_the_export_layout(spark, tmp_path):
    out = write_synthetic(tmp_path / "g", 6_000, seed=1, chunk=3_000, follows_per_ring=1_000)
    parts = [
        graphs.generate(n_follows=3_000, seed=1000 + i, follows_per_ring=1_000) for i in (0, 1)
    ]
    assert out["follows"] == sum(p.n_follows for p in parts) and out["files"] == 4
    assert out["accounts"] == sum(p.n_nodes for p in parts)
    files = sorted(p.relative_to(tmp_path / "g").as_posix() for p in (tmp_path / "g").rglob("*"))
    assert "follows/platform=x/part-00001.parquet" in files
    assert "accounts/platform=x/part-00000.parquet" in files
    first = pq.read_table(tmp_path / "g/follows/platform=x/part-00000.parquet")
    assert [str(t) for t in first.schema.types] == ["int64", "int64", "double"]

    [(name, follows, accounts)] = load_input(spark, tmp_path / "g", None)  # checks: no dups
    assert name == "x" and dict(follows.dtypes)["follower"] == "bigint"
    assert follows.count() == out["follows"] and accounts.count() == out["accounts"]
    second = follows.where(f"follower >= {parts[0].n_nodes}").count()
    assert second == parts[1].n_follows  # ids of chunk 1 are offset past chunk 0's accounts

    truth = np.concatenate(
        [
            np.flatnonzero(parts[0].ring_of >= 0),
            np.flatnonzero(parts[1].ring_of >= 0) + parts[0].n_nodes,
        ]
    )
    assert out["ring_members"].tolist() == truth.tolist()
    assert out["rings"] == parts[0].ring_of.max() + 1 + parts[1].ring_of.max() + 1
    assert out["ring_of_members"].max() == out["rings"] - 1
    assert not set(out["community_members"].tolist()) & set(truth.tolist())
    assert out["bytes"] == sum(p.stat().st_size for p in (tmp_path / "g").rglob("*.parquet"))
