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
from genuine.cards.load import PlatformData, load, seconds
from genuine.cards.store import save_cards
from genuine.models import Account, AccountReport, Follow, Post, lookup_key
from genuine.signals import classifier, features, jumps, purchase_risk, reply_rate, rings

SAMPLE_SIZE = 2000  # followers scored per account (DESIGN.md's example card)
SUSPICIOUS_SHOWN = 10  # most fake-looking followers named in a report
REPLIES_SHOWN = 200  # question/answer pairs kept in a report
# Follow data covering less than this share of the stated follower count came from a
# paginated platform list, which is newest first, not a random sample.
FULL_COVERAGE = 0.9


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
            names, account_node, seconds(a["created_at"] for a in data.accounts), np.nan
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
                    badges={
                        "follower_purchase_risk": risk.to_card(),
                        "reply_rate": reply.to_card()
                        if reply
                        else build.unknown_reply(
                            "no_questions", "no one addressed this account in the posts we hold"
                        ),
                        "follow_back_ring": ring.to_card(),
                    },
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
    # Highest probability first, as shown (three decimals), ties by handle: the float bits
    # below the third decimal differ between numpy builds, the order must not.
    shown = np.round(probabilities, 3)
    top = scored[np.lexsort((names[scored].astype(str), -shown))[:SUSPICIOUS_SHOWN]]
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
