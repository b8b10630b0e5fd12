"""SYNTHETIC follow graphs with planted follow-back rings, for tests and benchmarks only.

Nothing here is real data. No public follow graph labels its follow-for-follow rings, so
the ring detector (`genuine.signals.rings`) is measured on graphs built here, where the
truth is known because we planted it. The graphs are built to be hard in the ways that
matter for the badge:

- background noise: power-law ("Zipf") popularity and activity, a base rate of ordinary
  follow-backs, and local friendships that form weak, sparse clusters everywhere;
- genuine communities: colleagues/friends who follow each other mutually and densely
  (`community_reciprocity` of their pairs mutual, the rest one way), but follow back
  strangers only at the background rate; some of them have almost no
  followers outside the group (so nobody can tell), and some joined in one burst
  (a conference), so lockstep alone must not convict;
- rings: accounts that follow each other densely, follow back nearly every stranger who
  follows them, follow strangers hoping for a follow back, and add camouflage follows to
  celebrities (the top 1% by popularity, who never follow back); some rings were made in
  lockstep, some advertise follow-back hashtags, some were registered within days of each other;
- hard negatives besides communities: celebrities (the top 1% by popularity, followed by
  many, following back none) and lone follow-backers (`lone_follow_backers` per ring:
  background accounts that follow back 50-95% of their followers but belong to no group),
  and starter packs (`starter_packs` per ring: lists of `pack_size` accounts that
  `pack_followers` accounts each follow in one ten-minute burst, as on Bluesky; listed
  accounts answer at the background rate).

Every follow-back comes `follow_back_delay` seconds (two days) on average after the follow
it answers, as on a platform, so a detector given `followed_at` can tell who followed
first; 0 makes all follow times independent (as graphs made before issue 12 were).

Everything is vectorised numpy and deterministic for a given seed; 10 million follows take
a few seconds. Ids are shuffled at the end so that nothing can lean on their order.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

EPOCH_START = int(datetime(2021, 1, 1, tzinfo=UTC).timestamp())
SPAN = 3 * 365 * 86400
BENIGN_BIOS = (
    "Coffee, code and cats.",
    "Nurse. Runner. Mum of two.",
    "Photographer | good light hunter",
    "Opinions my own.",
    "Teacher, gardener, bad guitarist.",
)
HASHTAG_BIOS = (
    "#TeamFollowBack #F4F",
    "Follow me and I follow back! #IFB",
    "#FollowBack 100% guaranteed",
    "F4F | gaming | music",
    "#follow4follow #instafollow",
)


@dataclass(frozen=True)
class SynthConfig:
    """Knobs of the generator; defaults are the ones the tests and benchmark use."""

    n_follows: int = 100_000
    mean_out_degree: float = 20.0
    popularity_exponent: float = 1.0
    background_reciprocity: float = 0.15
    friends_per_node: float = 2.0
    friend_window: int = 200
    friend_reciprocity: float = 1.0
    follows_per_ring: int = 20_000
    ring_size: tuple[int, int] = (8, 120)
    ring_density: tuple[float, float] = (0.4, 0.9)
    ring_outside_followers: float = 15.0
    ring_follow_back: float = 0.9
    ring_stranger_follows: float = 10.0
    camouflage: float = 1.0
    communities_per_ring: float = 1.0
    community_size: tuple[int, int] = (6, 40)
    community_density: tuple[float, float] = (0.6, 0.95)
    community_outside_followers: float = 10.0
    community_reciprocity: float = 1.0
    community_isolated_share: float = 0.2
    burst_community_share: float = 0.2
    lockstep_ring_share: float = 0.5
    hashtag_ring_share: float = 0.5
    hashtag_member_share: float = 0.7
    bunched_ring_share: float = 0.5
    background_hashtag_rate: float = 0.002
    lone_follow_backers: float = 0.0
    follow_back_delay: float = 2 * 86400.0
    starter_packs: float = 0.0
    pack_size: int = 50
    pack_followers: int = 300
    lone_follow_back: tuple[float, float] = (0.5, 0.95)
    seed: int = 0


@dataclass
class SynthGraph:
    """A generated graph and its planted truth (arrays indexed by account id)."""

    follower: np.ndarray
    followee: np.ndarray
    followed_at: np.ndarray
    n_nodes: int
    bios: np.ndarray
    created_at: np.ndarray
    ring_of: np.ndarray
    community_of: np.ndarray
    isolated: np.ndarray
    lone: np.ndarray
    celebrity: np.ndarray
    pack_of: np.ndarray
    lockstep_rings: np.ndarray
    hashtag_rings: np.ndarray
    bunched_rings: np.ndarray

    @property
    def n_follows(self) -> int:
        return int(self.follower.size)

    def handles(self) -> np.ndarray:
        """Synthetic handles `user<id>`, the form the CSV writer uses."""
        return np.char.add("user", np.arange(self.n_nodes).astype(str))

    def write_dataset(self, directory: Path, platform: str = "x") -> None:
        """Write follows.csv and accounts.csv in the dataset-folder format (small graphs)."""
        directory.mkdir(parents=True, exist_ok=True)
        # A handle the importer accepts on that platform (genuine.handles).
        suffix = {"bluesky": ".synthetic.example", "mastodon": "@synthetic.example"}.get(
            platform, ""
        )

        def name(i: int) -> str:
            return f"user{i}{suffix}"

        iso = np.datetime_as_string(self.followed_at.astype("datetime64[s]"), unit="s")
        with open(directory / "follows.csv", "w", newline="", encoding="utf-8") as fh:
            out = csv.writer(fh)
            out.writerow(["platform", "follower", "followee", "followed_at"])
            for a, b, t in zip(self.follower.tolist(), self.followee.tolist(), iso, strict=True):
                out.writerow([platform, name(a), name(b), f"{t}Z"])
        created = np.datetime_as_string(self.created_at.astype("datetime64[s]"), unit="s")
        with open(directory / "accounts.csv", "w", newline="", encoding="utf-8") as fh:
            out = csv.writer(fh)
            out.writerow(["platform", "handle", "bio", "created_at"])
            for i in range(self.n_nodes):
                bio = self.bios[i]
                out.writerow([platform, name(i), "" if bio is None else bio, f"{created[i]}Z"])


def _pairs(rng: np.random.Generator, members: np.ndarray, density: float) -> np.ndarray:
    """Undirected pairs among `members`, each present with probability `density`."""
    i, j = np.triu_indices(members.size, k=1)
    keep = rng.random(i.size) < density
    return np.stack([members[i[keep]], members[j[keep]]], axis=1)


def _both_ways(pairs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return (
        np.concatenate([pairs[:, 0], pairs[:, 1]]),
        np.concatenate([pairs[:, 1], pairs[:, 0]]),
    )


def _community_follows(rng, pairs: np.ndarray, reciprocity: float):
    """Both directions of each pair, except a `1 - reciprocity` share followed one way only."""
    if reciprocity >= 1.0:  # (draws nothing: default graphs stay as they were)
        return _both_ways(pairs)
    one_way = rng.random(len(pairs)) >= reciprocity
    a, b = _both_ways(pairs[~one_way])
    flip = rng.random(int(one_way.sum())) < 0.5
    single = pairs[one_way]
    a = np.concatenate([a, np.where(flip, single[:, 1], single[:, 0])])
    b = np.concatenate([b, np.where(flip, single[:, 0], single[:, 1])])
    return a, b


def _top_up(rng, key, followed_at, target, n_nodes, act_cdf, pop_cdf):
    """Add background follows until duplicates no longer leave us short of `target`."""
    for _ in range(10):
        short = target - key.size
        if short <= 0:
            break
        k = int(short * 1.3) + 10
        a = np.minimum(np.searchsorted(act_cdf, rng.random(k)), act_cdf.size - 1)
        b = np.minimum(np.searchsorted(pop_cdf, rng.random(k)), pop_cdf.size - 1)
        extra = (a.astype(np.int64) * n_nodes + b)[a != b]
        extra = np.setdiff1d(np.unique(extra), key, assume_unique=True)
        extra = rng.permutation(extra)[:short]
        times = EPOCH_START + rng.integers(0, SPAN, extra.size)
        key = np.concatenate([key, extra])
        followed_at = np.concatenate([followed_at, times])
    return key, followed_at


def generate(config: SynthConfig | None = None, **overrides: object) -> SynthGraph:
    """Build a synthetic graph of about `n_follows` follows; see the module docstring."""
    cfg = config or SynthConfig()
    if overrides:
        cfg = SynthConfig(**{**cfg.__dict__, **overrides})
    rng = np.random.default_rng(cfg.seed)
    n_rings = max(1, cfg.n_follows // cfg.follows_per_ring)
    n_comms = max(1, round(n_rings * cfg.communities_per_ring))
    lo, hi = cfg.ring_size
    sizes = np.minimum(hi, (lo * (1 + rng.pareto(1.3, n_rings))).astype(np.int64))
    n_bg = max(1000, int(cfg.n_follows / cfg.mean_out_degree))
    n_nodes = n_bg + int(sizes.sum())

    # Popularity (who gets followed) and activity (who follows) over the background.
    pop = rng.permutation(n_bg)  # pop[i] = popularity rank of account i
    pop_w = 1.0 / (pop + 10.0) ** cfg.popularity_exponent
    pop_cdf = np.cumsum(pop_w / pop_w.sum())
    act_cdf = np.cumsum(1.0 + rng.pareto(2.0, n_bg))
    act_cdf /= act_cdf[-1]
    celebrity = pop < max(10, n_bg // 100)

    def popular(k: int) -> np.ndarray:
        return np.minimum(np.searchsorted(pop_cdf, rng.random(k)), n_bg - 1)

    def uniform_bg(k: int) -> np.ndarray:
        return rng.integers(0, n_bg, k)

    src: list[np.ndarray] = []
    dst: list[np.ndarray] = []
    when: list[np.ndarray] = []

    def add(a: np.ndarray, b: np.ndarray, t: np.ndarray | None = None) -> np.ndarray:
        src.append(a)
        dst.append(b)
        when.append(EPOCH_START + rng.integers(0, SPAN, a.size) if t is None else t)
        return when[-1]

    def add_back(a: np.ndarray, b: np.ndarray, t_first: np.ndarray) -> None:
        """Follow-backs: after the follow they answer when `follow_back_delay` is set."""
        if cfg.follow_back_delay > 0:
            delay = rng.exponential(cfg.follow_back_delay, a.size).astype(np.int64)
            add(a, b, t_first + 1 + delay)
        else:
            add(a, b)

    ring_of = np.full(n_nodes, -1, dtype=np.int32)
    community_of = np.full(n_nodes, -1, dtype=np.int32)
    isolated = np.zeros(n_nodes, dtype=bool)
    created_at = EPOCH_START - rng.integers(0, 13 * 365 * 86400, n_nodes)
    lockstep = rng.random(n_rings) < cfg.lockstep_ring_share
    hashtag = rng.random(n_rings) < cfg.hashtag_ring_share
    bunched = rng.random(n_rings) < cfg.bunched_ring_share
    bios = np.empty(n_nodes, dtype=object)
    benign = rng.random(n_nodes) < 0.6
    bios[benign] = np.asarray(BENIGN_BIOS, dtype=object)[rng.integers(0, 5, int(benign.sum()))]
    noisy = rng.random(n_nodes) < cfg.background_hashtag_rate
    bios[noisy] = np.asarray(HASHTAG_BIOS, dtype=object)[rng.integers(0, 5, int(noisy.sum()))]

    # Rings: new accounts appended after the background.
    start = n_bg
    for r, size in enumerate(sizes.tolist()):
        members = np.arange(start, start + size)
        start += size
        ring_of[members] = r
        a, b = _both_ways(_pairs(rng, members, rng.uniform(*cfg.ring_density)))
        if lockstep[r]:
            t0 = EPOCH_START + rng.integers(0, SPAN)
            add(a, b, t0 + rng.integers(0, 3600, a.size))
        else:
            add(a, b)
        k = rng.poisson(cfg.ring_outside_followers, size)
        fans = uniform_bg(int(k.sum()))
        target = np.repeat(members, k)
        t = add(fans, target)
        back = rng.random(fans.size) < cfg.ring_follow_back
        add_back(target[back], fans[back], t[back])
        k = rng.poisson(cfg.ring_stranger_follows, size)
        strangers, who = uniform_bg(int(k.sum())), np.repeat(members, k)
        t = add(who, strangers)
        back = rng.random(who.size) < cfg.background_reciprocity
        add_back(strangers[back], who[back], t[back])
        ring_deg = np.bincount(a - members[0], minlength=size)
        k = rng.poisson(cfg.camouflage * ring_deg + 1)
        stars = np.flatnonzero(celebrity)  # camouflage: following the famous, who never answer
        add(np.repeat(members, k), stars[rng.integers(0, stars.size, int(k.sum()))])
        if bunched[r]:
            created_at[members] = (
                EPOCH_START - rng.integers(0, 365 * 86400) + rng.integers(0, 3 * 86400, size)
            )
        if hashtag[r]:
            pick = members[rng.random(size) < cfg.hashtag_member_share]
            bios[pick] = np.asarray(HASHTAG_BIOS, dtype=object)[rng.integers(0, 5, pick.size)]

    # Genuine communities: background accounts who follow each other, not strangers.
    clo, chi = cfg.community_size
    csizes = rng.integers(clo, chi + 1, n_comms)
    pool = rng.permutation(n_bg)[: int(csizes.sum())]
    for c, members in enumerate(np.split(pool, np.cumsum(csizes)[:-1])):
        community_of[members] = c
        pairs = _pairs(rng, members, rng.uniform(*cfg.community_density))
        a, b = _community_follows(rng, pairs, cfg.community_reciprocity)
        if rng.random() < cfg.burst_community_share:  # met at one event: a burst of follows
            add(a, b, EPOCH_START + rng.integers(0, SPAN) + rng.integers(0, 3600, a.size))
        else:
            add(a, b)
        alone = rng.random(members.size) < cfg.community_isolated_share
        isolated[members[alone]] = True
        k = np.where(alone, 0, rng.poisson(cfg.community_outside_followers, members.size))
        fans, target = uniform_bg(int(k.sum())), np.repeat(members, k)
        t = add(fans, target)
        back = rng.random(fans.size) < cfg.background_reciprocity
        add_back(target[back], fans[back], t[back])

    # Starter packs (Bluesky): a list of accounts that many people follow all at once.
    # Listed accounts follow each other a little and answer at the background rate.
    pack_of = np.full(n_nodes, -1, dtype=np.int32)
    n_packs = round(n_rings * cfg.starter_packs)
    listed = np.zeros(0, dtype=np.int64)
    if n_packs:  # (draws nothing otherwise: graphs without packs stay as they were)
        free = np.flatnonzero((community_of[:n_bg] < 0) & ~celebrity)
        listed = rng.choice(free, min(free.size, n_packs * cfg.pack_size), replace=False)
    for k, members in enumerate(np.array_split(listed, n_packs) if n_packs else []):
        pack_of[members] = k
        a, b = _community_follows(rng, _pairs(rng, members, 0.2), cfg.background_reciprocity)
        add(a, b)
        fans = uniform_bg(cfg.pack_followers)
        start_t = EPOCH_START + rng.integers(0, SPAN, fans.size)
        who, target = np.repeat(fans, members.size), np.tile(members, fans.size)
        t = add(who, target, np.repeat(start_t, members.size) + rng.integers(0, 600, who.size))
        back = rng.random(who.size) < cfg.background_reciprocity
        add_back(target[back], who[back], t[back])

    # Background: activity-weighted followers, popularity-weighted followees.
    used = sum(x.size for x in src)
    n_bg_follows = max(0, cfg.n_follows - used)
    n_friend_pairs = min(int(n_bg * cfg.friends_per_node), n_bg_follows // 4)
    n_random = max(0, n_bg_follows - 2 * n_friend_pairs)
    n_random = int(n_random / (1 + cfg.background_reciprocity * 0.9))
    a = np.minimum(np.searchsorted(act_cdf, rng.random(n_random)), n_bg - 1)
    b = popular(n_random)
    t = add(a, b)
    back = (rng.random(n_random) < cfg.background_reciprocity) & ~celebrity[b]
    add_back(b[back], a[back], t[back])
    a = uniform_bg(n_friend_pairs)
    b = (a + rng.integers(1, cfg.friend_window, n_friend_pairs)) % n_bg
    a, b = _community_follows(rng, np.stack([a, b], axis=1), cfg.friend_reciprocity)
    add(a, b)

    # Lone follow-backers: background accounts outside any group that follow back most
    # of whoever follows them (a hard negative: indiscriminate, but no ring around them).
    lone = np.zeros(n_nodes, dtype=bool)
    free = np.flatnonzero((community_of[:n_bg] < 0) & ~celebrity)
    n_lone = min(free.size, round(n_rings * cfg.lone_follow_backers))
    if n_lone:
        lone[rng.choice(free, n_lone, replace=False)] = True
        a, b, t = np.concatenate(src), np.concatenate(dst), np.concatenate(when)
        rate = np.zeros(n_nodes)
        rate[lone] = rng.uniform(*cfg.lone_follow_back, n_lone)
        back = lone[b] & (rng.random(b.size) < rate[b])
        add_back(b[back], a[back], t[back])
    follower = np.concatenate(src)
    followee = np.concatenate(dst)
    ok = follower != followee
    key = follower[ok].astype(np.int64) * n_nodes + followee[ok]
    key, first = np.unique(key, return_index=True)
    followed_at = np.concatenate(when).astype(np.int64)[ok][first]
    key, followed_at = _top_up(rng, key, followed_at, cfg.n_follows, n_nodes, act_cdf, pop_cdf)
    # Shuffle ids so that no detector can use their order; shuffle rows too.
    perm = rng.permutation(n_nodes)
    inv = np.empty_like(perm)
    inv[perm] = np.arange(n_nodes)
    order = rng.permutation(key.size)
    key, followed_at = key[order], followed_at[order]
    dtype = np.int32 if n_nodes < 2**31 else np.int64
    return SynthGraph(
        follower=inv[key // n_nodes].astype(dtype),
        followee=inv[key % n_nodes].astype(dtype),
        followed_at=followed_at,
        n_nodes=n_nodes,
        bios=bios[perm],
        created_at=created_at[perm].astype(np.int64),
        ring_of=ring_of[perm],
        community_of=community_of[perm],
        isolated=isolated[perm],
        lone=lone[perm],
        pack_of=pack_of[perm],
        celebrity=np.append(celebrity, np.zeros(n_nodes - n_bg, dtype=bool))[perm],
        lockstep_rings=lockstep,
        hashtag_rings=hashtag,
        bunched_rings=bunched,
    )
