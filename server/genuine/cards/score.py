"""Batch scoring: read one platform's data from the store, run every signal, write cards.

One pass per platform, vectorised: the classifier scores every known profile once;
followers are grouped by account with one sort; reply rates and rings run once over
all posts and follows. Each account seen (with a profile, or only in posts and follows)
gets a card and a report of the evidence behind it. Signals stay pure (genuine.signals);
this module only moves data between the store and them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import sqlalchemy as sa

from genuine.cards import build
from genuine.cards.store import save_cards
from genuine.models import Account, AccountReport, Follow, Post, Snapshot, lookup_key
from genuine.signals import classifier, features, jumps, posts, purchase_risk, reply_rate, rings

SAMPLE_SIZE = 2000  # followers scored per account (DESIGN.md's example card)
SUSPICIOUS_SHOWN = 10  # most fake-looking followers named in a report
REPLIES_SHOWN = 200  # question/answer pairs kept in a report
# Follow data covering less than this share of the stated follower count came from a
# paginated platform list, which is newest first, not a random sample.
FULL_COVERAGE = 0.9


@dataclass
class PlatformData:
    platform: str
    accounts: list[dict[str, Any]]
    follower: np.ndarray  # handle per follow
    followee: np.ndarray
    followed_at: np.ndarray  # epoch seconds, NaN when unknown
    posts: posts.Posts
    snapshots: dict[str, tuple[list[datetime], list[int]]]


def _seconds(values: Iterable[datetime | None]) -> np.ndarray:
    return np.array([v.timestamp() if v else np.nan for v in values], dtype=np.float64)


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
        accounts = _with_unprofiled(platform, accounts, follows, post_rows)
    return PlatformData(
        platform=platform,
        accounts=accounts,
        follower=np.array([f[0] for f in follows], dtype=object),
        followee=np.array([f[1] for f in follows], dtype=object),
        followed_at=_seconds(f[2] for f in follows),
        posts=posts.Posts.from_records(post_rows),
        snapshots=snapshots,
    )


def _with_unprofiled(platform, accounts, follows, post_rows) -> list[dict[str, Any]]:
    """``accounts`` plus an empty profile for every account seen only in posts (as author or
    as the author replied to) or follows, so each gets a card: reply rate from the posts,
    rings from the follows, purchase risk `unknown` with its reason without a profile.
    Accounts only @mentioned do not: a mention does not say which account exists
    (``@alice.bsky.social`` could also be ``alice``)."""
    seen = {f[0] for f in follows} | {f[1] for f in follows}
    seen |= {r["author"] for r in post_rows}
    seen |= {r["in_reply_to_author"] for r in post_rows if r["in_reply_to_author"]}
    seen -= {a["handle"] for a in accounts}
    empty = {c.name: None for c in Account.__table__.columns if c.name != "id"}
    added = [{**empty, "platform": platform, "handle": h, "extra": {}} for h in seen]
    return sorted([*accounts, *added], key=lambda a: a["handle"])


@dataclass
class Scored:
    card: dict[str, Any]
    evidence: dict[str, Any]


def score(
    data: PlatformData,
    now: datetime,
    *,
    public_url: str,
    version: str | None = None,
    only: set[str] | None = None,
) -> list[Scored]:
    """Cards and evidence for every account of `data` (or of `only`)."""
    version = version or build.model_version()
    handles = [a["handle"] for a in data.accounts]
    # Node ids: every handle seen in profiles or follows.
    names, inverse = np.unique(
        np.concatenate([np.array(handles, dtype=object), data.follower, data.followee]),
        return_inverse=True,
    )
    n_acc, n_f = len(handles), len(data.follower)
    account_node = inverse[:n_acc]
    follower_node = inverse[n_acc : n_acc + n_f]
    followee_node = inverse[n_acc + n_f :]

    clf = classifier.load()
    fm = features.build_features(data.accounts, reference_time=now)
    which_acc = clf.route(fm)
    prob_acc = clf.probability(fm, which_acc)
    which = np.full(len(names), -1, dtype=np.intp)
    prob = np.full(len(names), np.nan)
    which[account_node], prob[account_node] = which_acc, prob_acc
    flags = classifier.is_fake(prob)

    order = np.argsort(followee_node, kind="stable")
    starts = np.searchsorted(followee_node[order], np.arange(len(names) + 1))

    questions = reply_rate.find_questions(data.posts)
    replies = reply_rate.reply_rates(
        data.posts,
        followers={
            a["handle"]: a["followers_count"]
            for a in data.accounts
            if a["followers_count"] is not None
        }
        or None,  # no asker's count known: equity says so
        questions=questions,
    )
    ring_result = rings.detect_rings(
        follower_node,
        followee_node,
        len(names),
        followed_at=data.followed_at,
        bios=_node_values(names, account_node, [a["bio"] for a in data.accounts], None),
        created_at=_node_values(
            names, account_node, _seconds(a["created_at"] for a in data.accounts), np.nan
        ),
        labels=names,
    )

    out = []
    for i, account in enumerate(data.accounts):
        if only is not None and account["handle"] not in only:
            continue
        node = int(account_node[i])
        followers = follower_node[order[starts[node] : starts[node + 1]]]
        risk, sample = _purchase(account, followers, which, flags, clf, data)
        reply = replies.get(account["handle"])
        ring = ring_result.lookup(node)
        out.append(
            Scored(
                build.card(
                    data.platform,
                    account["handle"],
                    now,
                    purchase=risk.as_dict(),
                    reply=reply.to_card()
                    if reply
                    else build.unknown_reply(
                        "no_questions", "no one addressed this account in the posts we hold"
                    ),
                    ring=ring.to_dict(),
                    version=version,
                    public_url=public_url,
                    synthetic=bool((account["extra"] or {}).get("synthetic")),
                ),
                _evidence(account, sample, prob, names, fm, data, questions, ring, ring_result),
            )
        )
    return out


def _node_values(names, account_node, values, missing):
    out = np.empty(len(names), dtype=object if missing is None else np.float64)
    out[:] = missing
    out[account_node] = values
    return out


def _purchase(account, followers, which, flags, clf, data):
    scored = followers[which[followers] >= 0]
    if scored.size > SAMPLE_SIZE:
        seed = int.from_bytes(hashlib.sha256(account["handle"].encode()).digest()[:8], "big")
        scored = np.random.default_rng(seed).choice(scored, SAMPLE_SIZE, replace=False)
    stated = account["followers_count"]
    newest_first = bool(stated and followers.size < FULL_COVERAGE * stated)
    times, counts = data.snapshots.get(account["handle"], ([], []))
    jump_report = jumps.find_jumps(times, counts)
    models = which[scored]
    rates = (
        purchase_risk.ErrorRates.for_rows(models, clf.models)
        if scored.size
        else purchase_risk.ErrorRates(
            **{k: clf.models[0].confusion[k] for k in ("tp", "fn", "tn", "fp")}
        )
    )
    risk = purchase_risk.assess(flags[scored], rates, newest_first=newest_first, jumps=jump_report)
    return risk, (scored, jump_report)


def _evidence(account, sample, prob, names, fm, data, questions, ring, ring_result):
    scored, jump_report = sample
    probabilities = prob[scored]
    top = scored[np.argsort(-probabilities)[:SUSPICIOUS_SHOWN]] if scored.size else scored
    times, counts = data.snapshots.get(account["handle"], ([], []))
    evidence: dict[str, Any] = {
        "follower_probabilities": [round(float(p), 3) for p in probabilities],
        "most_suspicious": [
            {"handle": str(names[n]), "probability": round(float(prob[n]), 3)} for n in top
        ],
        "snapshots": [[t.isoformat(), c] for t, c in zip(times, counts, strict=True)],
        "jumps": [
            {"start": _iso(j.start), "end": _iso(j.end), "change": j.change, "z": round(j.z, 1)}
            for j in jump_report.jumps
        ],
        "replies": _replies(account["handle"], questions, data.posts),
        "ring": None,
    }
    if ring.level == "member" and ring.ring_id:
        members = ring_result.ring(ring.ring_id)
        evidence["ring"] = {
            "id": ring.ring_id,
            "members": [str(names[m]) for m in members.members.tolist()],
            "density": round(members.density, 4),
        }
    return evidence


def _iso(value) -> str | float:
    return value.isoformat() if isinstance(value, datetime) else value


def _replies(handle, questions, posts) -> list[dict[str, Any]]:
    names = questions.names
    try:
        code = names.index(handle)
    except ValueError:
        return []
    rows = np.flatnonzero((questions.target == code) & questions.counted)[:REPLIES_SHOWN]
    created = posts.created_at
    return [
        {
            "asker": names[int(questions.asker[r])],
            "asked_at": _iso(created[int(questions.post[r])]),
            "answered": bool(questions.answered[r]),
            "delay_seconds": None
            if np.isnan(questions.delay[r])
            else round(float(questions.delay[r])),
        }
        for r in rows
    ]


def save_reports(conn: sa.Connection, scored: list[Scored]) -> None:
    table = AccountReport.__table__
    keys = [lookup_key(s.card["platform"], s.card["handle"]) for s in scored]
    for start in range(0, len(keys), 1000):
        conn.execute(table.delete().where(table.c.lookup_key.in_(keys[start : start + 1000])))
    rows = [
        {
            "lookup_key": key,
            "platform": s.card["platform"],
            "handle": s.card["handle"],
            "computed_at": datetime.fromisoformat(s.card["computed_at"]),
            "evidence": s.evidence,
            "charts": None,
            "charts_etag": None,
        }
        for key, s in zip(keys, scored, strict=True)
    ]
    if rows:
        conn.execute(table.insert(), rows)


def score_store(
    engine: sa.Engine,
    *,
    public_url: str,
    platforms: Iterable[str] | None = None,
    now: datetime | None = None,
    handles: Iterable[str] | None = None,
    conn: sa.Connection | None = None,
) -> dict[str, int]:
    """Score every account of each platform and write its card and report; returns counts.

    `handles` scores only those accounts (an audit): the cards of their neighbours are
    left as they are. `conn`, an open transaction, makes the card writes part of it.
    """
    now = now or datetime.now(UTC)
    only = set(handles) if handles is not None else None
    done: dict[str, int] = {}
    with engine.connect() as reader:
        present = set()
        for table in (Account, Post, Follow):
            present |= set(reader.execute(sa.select(table.platform).distinct()).scalars())
    for platform in sorted(set(platforms or present) & set(present)):
        with engine.connect() as reader:
            data = load(reader, platform, only)
        scored = score(data, now, public_url=public_url, only=only)
        if conn is not None:
            save_cards(conn, (s.card for s in scored))
            save_reports(conn, scored)
        else:
            with engine.begin() as writer:
                save_cards(writer, (s.card for s in scored))
                save_reports(writer, scored)
        done[platform] = len(scored)
    return done
