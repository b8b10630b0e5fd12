"""SYNTHETIC follow graphs for the Spark ring benchmark, written straight to Parquet.

The layout is the one `genuine export follows` writes (and `genuine.spark.input.load_input`
reads), with integer ids instead of handles:

    DIR/follows/platform=P/part-NNNNN.parquet   follower, followee (int64), followed_at (double s)
    DIR/accounts/platform=P/part-NNNNN.parquet  handle (int64), bio (string), created_at (double s)

A large graph is made of disjoint graphs of at most `chunk` follows from
`genuine.synthetic.graphs.generate` (seeds seed*1000+i, ids offset past the previous chunk's
accounts), each written as its own file and dropped before the next is generated, so 100M
follows never hold more than one 10M-follow chunk in memory. The planted truth comes back
with the counts: ring members (and their ring numbers, unique across chunks) and community
members (the hard negatives) by id, for the benchmark's precision and recall.

    python bench/rings_spark_data.py --follows 10000000 --seed 0 --output /tmp/rings10m
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from genuine.synthetic import graphs

CHUNK = 10_000_000
ROW_GROUP = 1_000_000


def _write_chunk(folder: Path, part: int, g: graphs.SynthGraph, offset: int, platform: str) -> None:
    name = f"part-{part:05d}.parquet"
    follows = pa.table(
        {
            "follower": pa.array(g.follower.astype(np.int64) + offset),
            "followee": pa.array(g.followee.astype(np.int64) + offset),
            "followed_at": pa.array(g.followed_at.astype(np.float64)),
        }
    )
    pq.write_table(follows, folder / "follows" / f"platform={platform}" / name, ROW_GROUP)
    accounts = pa.table(
        {
            "handle": pa.array(np.arange(g.n_nodes, dtype=np.int64) + offset),
            "bio": pa.array(g.bios.tolist(), pa.string()),
            "created_at": pa.array(g.created_at.astype(np.float64)),
        }
    )
    pq.write_table(accounts, folder / "accounts" / f"platform={platform}" / name, ROW_GROUP)


def write_synthetic(
    folder: Path,
    n_follows: int,
    seed: int,
    chunk: int = CHUNK,
    platform: str = "x",
    **overrides: object,
) -> dict:
    """Write about `n_follows` synthetic follows under `folder` (which must not hold an
    earlier graph); returns counts, bytes and the planted truth (ids as int64 arrays).

    `overrides` go to `graphs.generate` (e.g. follows_per_ring) for every chunk."""
    if (folder / "follows").exists() or (folder / "accounts").exists():
        raise SystemExit(f"{folder}: already holds a graph; pick a new folder")
    for kind in ("follows", "accounts"):
        (folder / kind / f"platform={platform}").mkdir(parents=True)
    follows = accounts = offset = rings = 0
    members, ring_ids, community = [], [], []
    parts = max(1, -(-n_follows // chunk))
    for part in range(parts):  # equal shares: no tiny last chunk
        size = n_follows * (part + 1) // parts - n_follows * part // parts
        g = graphs.generate(n_follows=size, seed=seed * 1000 + part, **overrides)
        _write_chunk(folder, part, g, offset, platform)
        in_ring = np.flatnonzero(g.ring_of >= 0)
        members.append(in_ring.astype(np.int64) + offset)
        ring_ids.append(g.ring_of[in_ring].astype(np.int64) + rings)
        community.append(np.flatnonzero(g.community_of >= 0).astype(np.int64) + offset)
        rings += int(g.ring_of.max()) + 1 if in_ring.size else 0
        follows += g.n_follows
        accounts += g.n_nodes
        offset += g.n_nodes
        del g
    size_bytes = sum(p.stat().st_size for p in folder.rglob("*.parquet"))
    return {
        "follows": follows,
        "accounts": accounts,
        "files": 2 * parts,
        "bytes": size_bytes,
        "platform": platform,
        "rings": rings,
        "ring_members": np.concatenate(members),
        "ring_of_members": np.concatenate(ring_ids),
        "community_members": np.concatenate(community),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--follows", type=int, default=CHUNK, help="how many follows")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", type=Path, required=True, help="folder to create")
    parser.add_argument("--chunk", type=int, default=CHUNK, help="follows per generated graph")
    args = parser.parse_args()
    started = time.perf_counter()
    out = write_synthetic(args.output, args.follows, args.seed, chunk=args.chunk)
    seconds = time.perf_counter() - started
    print(
        f"SYNTHETIC: {out['follows']:,} follows, {out['accounts']:,} accounts, "
        f"{out['rings']} rings ({out['ring_members'].size:,} members) in {out['files']} files, "
        f"{out['bytes']:,} bytes, {seconds:.1f} s -> {args.output}"
    )


if __name__ == "__main__":
    main()
