"""Rings on a SYNTHETIC graph shaped like the outside planted-ring graph of issue 12.

    .venv/bin/python bench/rings_outside_like.py

That graph (20,000 accounts, 1.9M follows, rings of 10-200 members at internal mutual
density 0.15-0.4 following back 50-95% of strangers, camouflage, genuine communities
denser than the rings, lone follow-backers) is not available here; this builds one to its
description with `genuine.synthetic.graphs` and prints, per follow-back share of the
rings, how many rings were found, precision, recall and community members flagged.
"""

from __future__ import annotations

import time

from genuine.signals.rings import detect_rings
from genuine.synthetic.graphs import generate


def main() -> None:
    for follow_back in (0.5, 0.7, 0.95):
        g = generate(
            n_follows=1_900_000,
            mean_out_degree=95.0,
            follows_per_ring=95_000,
            ring_size=(10, 200),
            ring_density=(0.15, 0.4),
            ring_follow_back=follow_back,
            background_reciprocity=0.15,
            friend_reciprocity=0.15,
            community_density=(0.5, 0.8),
            community_size=(10, 60),
            community_reciprocity=0.85,
            lone_follow_backers=3.0,
            seed=77,
        )
        started = time.perf_counter()
        result = detect_rings(g.follower, g.followee, g.n_nodes, followed_at=g.followed_at,
                              bios=g.bios, created_at=g.created_at)  # fmt: skip
        flagged, truth = result.member_mask(), g.ring_of >= 0
        community = g.community_of >= 0
        hit = int((flagged & truth).sum())
        print(
            f"follow-back {follow_back}: {g.n_nodes:,} accounts, {g.n_follows:,} follows; "
            f"{len(result.rings)} of {g.ring_of.max() + 1} rings found, "
            f"P {hit / max(int(flagged.sum()), 1):.3f} R {hit / int(truth.sum()):.3f}, "
            f"community members flagged {int((flagged & community).sum())} / "
            f"{int(community.sum())}, baseline {result.baseline:.3f}, "
            f"{time.perf_counter() - started:.1f} s"
        )


if __name__ == "__main__":
    main()
