"""From the store (or a dataset folder's rows) to the arrays signals take.

The one route: `load` reads one platform's accounts, follows, posts and snapshots for
batch scoring; `load_follows_from_db` reads the follow graph alone, numbered 0..n-1 per
platform, for `genuine rings`. Timestamps become float epoch seconds with NaN where unknown
(`seconds`). Signals stay pure; this module is where rows turn into arrays.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import sqlalchemy as sa

from genuine.models import Account, Follow, Post, Snapshot
from genuine.signals import posts
from genuine.signals.rings import RingResult, detect_rings


def seconds(values: Iterable[datetime | None]) -> np.ndarray:
    """Float seconds since the epoch, NaN where a value is missing."""
    return np.array([v.timestamp() if v else np.nan for v in values], dtype=np.float64)


@dataclass
class PlatformData:
    platform: str
    accounts: list[dict[str, Any]]
    follower: np.ndarray  # handle per follow
    followee: np.ndarray
    followed_at: np.ndarray  # epoch seconds, NaN when unknown
    posts: posts.Posts
    snapshots: dict[str, tuple[list[datetime], list[int]]]


CHUNK = 5000  # handles per IN (...) list: far below SQLite's 32,766 variables


def _chunks(values: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def load(conn: sa.Connection, platform: str, handles: Iterable[str] | None = None) -> PlatformData:
    """One platform's data; with `handles`, only what scoring those accounts needs:
    their neighbourhood (followers and followees), the follows among it, the posts they
    wrote or that reply to them (and their askers' profiles), and their snapshots.

    The neighbourhood is gathered here and passed as literal lists: SQLite plans
    `IN (subquery of a UNION)` as a scan per row, which cost most of an audit's time."""
    only = sorted(set(handles)) if handles is not None else None
    account_filter = follow_filter = post_filter = snapshot_filter = sa.true()
    if only is not None:
        near = set(only)
        for follower, followee in conn.execute(
            sa.select(Follow.follower, Follow.followee).where(
                Follow.platform == platform,
                sa.or_(Follow.followee.in_(only), Follow.follower.in_(only)),
            )
        ):
            near.add(follower)
            near.add(followee)
        askers = conn.execute(
            sa.select(Post.author).where(
                Post.platform == platform, Post.in_reply_to_author.in_(only)
            )
        ).scalars()
        wanted = sorted(near | set(askers))
        nodes = sorted(near)
        account_filter = sa.or_(*(Account.handle.in_(c) for c in _chunks(wanted)))
        follow_filter = sa.or_(*(Follow.follower.in_(c) for c in _chunks(nodes)))
        post_filter = sa.or_(Post.author.in_(only), Post.in_reply_to_author.in_(only))
        snapshot_filter = Snapshot.handle.in_(only)
    account_rows = conn.execute(
        sa.select(Account)
        .where(Account.platform == platform, account_filter)
        .order_by(Account.handle)
    ).mappings()
    accounts = [dict(row) for row in account_rows]
    follows = conn.execute(
        sa.select(Follow.follower, Follow.followee, Follow.followed_at).where(
            Follow.platform == platform, follow_filter
        )
    ).all()
    if only is not None:
        follows = [f for f in follows if f[1] in near]
    post_rows = conn.execute(
        sa.select(
            Post.post_id,
            Post.author,
            Post.created_at,
            Post.in_reply_to_post_id,
            Post.in_reply_to_author,
            Post.text,
        )
        .where(Post.platform == platform, post_filter)
        .order_by(Post.post_id)  # a stable order: reports list the first REPLIES_SHOWN pairs
    ).mappings()
    snapshots: dict[str, tuple[list[datetime], list[int]]] = {}
    for handle, taken_at, count in conn.execute(
        sa.select(Snapshot.handle, Snapshot.taken_at, Snapshot.followers_count)
        .where(
            Snapshot.platform == platform,
            Snapshot.followers_count.is_not(None),
            snapshot_filter,
        )
        .order_by(Snapshot.handle, Snapshot.taken_at)
    ):
        times, counts = snapshots.setdefault(handle, ([], []))
        times.append(taken_at)
        counts.append(count)
    post_rows = list(post_rows)
    if only is None:
        seen = {f[0] for f in follows} | {f[1] for f in follows}
        seen |= {r["author"] for r in post_rows}
        seen |= {r["in_reply_to_author"] for r in post_rows if r["in_reply_to_author"]}
    else:  # an account asked for by name gets its card even without a profile
        seen = set(only)
    accounts = _with_unprofiled(platform, accounts, seen)
    return PlatformData(
        platform=platform,
        accounts=accounts,
        follower=np.array([f[0] for f in follows], dtype=object),
        followee=np.array([f[1] for f in follows], dtype=object),
        followed_at=seconds(f[2] for f in follows),
        posts=posts.Posts.from_records(post_rows),
        snapshots=snapshots,
    )


def _with_unprofiled(platform, accounts, seen: set[str]) -> list[dict[str, Any]]:
    """``accounts`` plus an empty profile for every account of ``seen`` without one, so each
    gets a card. Batch scoring passes every account seen only in posts (as author or as the
    author replied to) or follows: reply rate from the posts, rings from the follows,
    purchase risk `unknown` with its reason without a profile. Accounts only @mentioned do
    not count: a mention does not say which account exists (``@alice.bsky.social`` could
    also be ``alice``)."""
    missing = seen - {a["handle"] for a in accounts}
    if not missing:
        return accounts
    empty = {c.name: None for c in Account.__table__.columns if c.name != "id"}
    added = [{**empty, "platform": platform, "handle": h, "extra": {}} for h in missing]
    return sorted([*accounts, *added], key=lambda a: a["handle"])


@dataclass
class FollowData:
    """The follows of one platform with accounts numbered 0..n-1 (`handles[i]` is account i).

    Timestamps are float seconds since the epoch with NaN where unknown; `bios` and
    `created_at` are per account and None when no account data was available.
    """

    platform: str
    handles: np.ndarray
    follower: np.ndarray
    followee: np.ndarray
    followed_at: np.ndarray | None
    bios: np.ndarray | None = None
    created_at: np.ndarray | None = None

    def detect(self) -> RingResult:
        keys = np.char.add(f"{self.platform}:", self.handles.astype(str))
        return detect_rings(
            self.follower,
            self.followee,
            self.handles.size,
            followed_at=self.followed_at,
            bios=self.bios,
            created_at=self.created_at,
            labels=keys,
        )


def build_follow_data(
    platforms: np.ndarray,
    followers: np.ndarray,
    followees: np.ndarray,
    followed_at: np.ndarray | None,
    accounts: dict[str, np.ndarray] | None = None,
) -> list[FollowData]:
    """Split handle-named follows by platform and number the accounts with np.unique.

    `accounts` optionally holds equal-length arrays "platform", "handle", "bio" and
    "created_at" (float seconds, NaN unknown); they are matched by sorted search.
    """
    out = []
    for platform in np.unique(platforms).tolist():
        m = platforms == platform
        names, ids = np.unique(np.concatenate([followers[m], followees[m]]), return_inverse=True)
        half = int(m.sum())
        data = FollowData(
            platform=platform,
            handles=names,
            follower=ids[:half],
            followee=ids[half:],
            followed_at=None if followed_at is None else followed_at[m],
        )
        if accounts is not None and accounts["handle"].size:
            a = accounts["platform"] == platform
            handle = accounts["handle"][a]
            pos = np.minimum(np.searchsorted(names, handle), names.size - 1)
            found = names[pos] == handle
            data.bios = np.full(names.size, None, dtype=object)
            data.bios[pos[found]] = accounts["bio"][a][found]
            data.created_at = np.full(names.size, np.nan)
            data.created_at[pos[found]] = accounts["created_at"][a][found]
        out.append(data)
    return out


def load_follows_from_db(engine, platform: str | None) -> list[FollowData]:
    """Read the store's follow and account tables, streamed, into `FollowData` per platform.

    `engine` is the SQLAlchemy engine (genuine.db.get_db().engine).
    """
    f, a = Follow.__table__, Account.__table__
    fq = sa.select(f.c.platform, f.c.follower, f.c.followee, f.c.followed_at)
    aq = sa.select(a.c.platform, a.c.handle, a.c.bio, a.c.created_at)
    if platform:
        fq, aq = fq.where(f.c.platform == platform), aq.where(a.c.platform == platform)
    with engine.connect() as conn:
        rows = conn.execution_options(stream_results=True, yield_per=100_000).execute(fq).all()
        acc = conn.execute(aq).all()
    cols = list(zip(*rows, strict=True)) if rows else [(), (), (), ()]
    acols = list(zip(*acc, strict=True)) if acc else [(), (), (), ()]
    return build_follow_data(
        np.array(cols[0], dtype=object).astype(str),
        np.array(cols[1], dtype=object).astype(str),
        np.array(cols[2], dtype=object).astype(str),
        seconds(cols[3]),
        {
            "platform": np.array(acols[0], dtype=object),
            "handle": np.array(acols[1], dtype=object).astype(str),
            "bio": np.array(acols[2], dtype=object),
            "created_at": seconds(acols[3]),
        },
    )
