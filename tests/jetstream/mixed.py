"""A seeded stream of mixed Jetstream frames and what it means for the store, computed apart.

`mixed(n, seed)` → (frames, Expected): follows (some undone), posts (some replies, some
deleted), profiles, handle changes and a few malformed frames (each with a time_us, so the
stored counts can be checked exactly), `step_us` apart. `Expected` is worked out with plain
dictionaries, not with the code under test.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from genuine.sources.bluesky import post_id
from tests.jetstream import frames as f


@dataclass
class Expected:
    follows: set[tuple[str, str]] = field(default_factory=set)  # (follower, followee)
    posts: dict[str, str | None] = field(default_factory=dict)  # post id → reply parent id
    actors: set[str] = field(default_factory=set)  # DIDs that acted
    handles: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # DID → display name
    frames: int = 0
    bad: int = 0
    last_time_us: int = 0


def mixed(n: int, seed: int = 7, people: int = 60, step_us: int = 1000):
    rng = random.Random(seed)
    dids = [f.did(i) for i in range(1, people + 1)]
    out: list = []
    want = Expected()
    rkeys: dict[tuple[str, str], str] = {}  # (did, rkey) → subject
    posts: dict[tuple[str, str], str | None] = {}  # (did, rkey) → parent id
    for i in range(n):
        t = f.T0 + i * step_us
        who = rng.choice(dids)
        roll = rng.random()
        rkey = f"3k{i:011d}"
        acted = True
        if roll < 0.02:
            if rng.random() < 0.5:
                out.append(f.identity("did:bad", t, "x.bsky.social"))  # bad_did
            else:  # bad_field: a follow without its subject
                out.append(f.commit(who, t, "app.bsky.graph.follow", rkey, "create", {}))
            want.bad += 1
            acted = False
        elif roll < 0.35:
            subject = rng.choice([d for d in dids if d != who])
            out.append(f.follow(who, t, rkey, subject))
            rkeys[(who, rkey)] = subject
        elif roll < 0.45 and any(d == who for d, _ in rkeys):
            mine = sorted(k for k in rkeys if k[0] == who)
            key = rng.choice(mine)
            out.append(f.unfollow(who, t, key[1]))
            del rkeys[key]
        elif roll < 0.80:
            parent = None
            if posts and rng.random() < 0.4:
                parent = rng.choice(sorted(posts))
            out.append(f.post(who, t, rkey, f"post {i}", parent=parent))
            uri = f"at://{parent[0]}/app.bsky.feed.post/{parent[1]}" if parent else None
            posts[(who, rkey)] = post_id(uri) if uri else None
        elif roll < 0.85 and any(d == who for d, _ in posts):
            key = rng.choice(sorted(k for k in posts if k[0] == who))
            out.append(f.delete_post(who, t, key[1]))
            del posts[key]
        elif roll < 0.93:
            name = f"Person {i}"
            out.append(f.profile(who, t, name=name))
            want.names[who] = name
        else:
            handle = f"p{i}.bsky.social"
            out.append(f.identity(who, t, handle))
            want.handles[who] = handle
        want.last_time_us = t
        if acted:
            want.actors.add(who)
    want.follows = {(d, s) for (d, _), s in rkeys.items()}
    want.posts = {post_id(f"at://{d}/app.bsky.feed.post/{r}"): p for (d, r), p in posts.items()}
    want.frames = len(out)
    return out, want
