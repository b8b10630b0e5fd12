"""What rescoring asks Bluesky's public AppView, never per event (issue 13).

Jetstream carries no counts and, for an account that has not changed its handle while we
listened, no handle. So when accounts are rescored (genuine.jetstream.rescore):

- the accounts without a handle are looked up with `app.bsky.actor.getProfiles` (25 per
  request) and get the handle the AppView gives (a DID's handle is verified by the AppView;
  `handle.invalid` gives none, and such an account gets no card: nobody could look it up);
- the followers sampled for the purchase-risk badge that have no counts yet (no profile, or
  a profile from the stream only) are fetched the same way, up to `RESCORE_PROFILES` per
  account, and their account rows get the counts the classifier needs.

Every request goes through the Bluesky source's HTTP client (its retries, pacing and its
per-host budget, `SOURCE_BUDGET`); when the budget or the AppView gives out, what was fetched
so far is kept and scoring goes on with it.
"""

from __future__ import annotations

import hashlib
import logging
import random
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from genuine.handles import check
from genuine.jetstream.events import INVALID_HANDLE, Identity
from genuine.models import Account, Follow
from genuine.sources.bluesky import PROFILES, BlueskySource
from genuine.sources.http import SourceError

log = logging.getLogger("genuine.jetstream.appview")

_accounts = Account.__table__
# Columns an AppView profile sets on an account row; the stream's own profile columns
# (display name, bio, avatar) are set by the stream too, the newer write wins.
COUNTED = (
    "display_name",
    "bio",
    "followers_count",
    "following_count",
    "posts_count",
    "has_avatar",
    "verified",
    "is_bot",
    "extra",
)


def fetch(source: BlueskySource, dids: Iterable[str]) -> dict[str, dict]:
    """profileViewDetailed by DID, for as many of `dids` as the AppView and the budget give."""
    wanted = sorted(set(dids))
    asked = set(wanted)
    views: dict[str, dict] = {}
    for start in range(0, len(wanted), PROFILES):
        try:
            chunk = wanted[start : start + PROFILES]
            body = source.xrpc("app.bsky.actor.getProfiles", actors=chunk)
        except SourceError as exc:  # rate limit, budget, outage: keep what we have
            log.warning("appview: stopped at %d of %d profiles: %s", len(views), len(wanted), exc)
            break
        for view in body.get("profiles") or []:
            did = view.get("did") if isinstance(view, dict) else None
            if isinstance(did, str) and did.lower() in asked:  # only what we asked for
                views[did.lower()] = view
    return views


def handles(views: dict[str, dict]) -> list[Identity]:
    """The handle each fetched profile names, as identity changes (time 0: older than any
    event of the stream, which stays authoritative)."""
    out = []
    for did, view in views.items():
        handle = check("bluesky", str(view.get("handle") or ""))
        if handle and handle != INVALID_HANDLE:
            out.append(Identity(did, 0, handle))
    return out


def save(conn: sa.Connection, source: BlueskySource, views: dict[str, dict]) -> int:
    """Upsert the account rows (keyed by DID, as the ingester keys them) of `views`."""
    rows = []
    for did, view in sorted(views.items()):  # DID order, as every writer locks rows
        values = source.account(view)
        values["handle"] = did
        rows.append(values)
    if not rows:
        return 0
    insert = (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(_accounts)
    conn.execute(
        insert.on_conflict_do_update(
            index_elements=["platform", "handle"],
            set_={
                **{c: insert.excluded[c] for c in COUNTED},
                "created_at": sa.func.coalesce(insert.excluded.created_at, _accounts.c.created_at),
            },
        ),
        rows,
    )
    return len(rows)


def uncounted_followers(conn: sa.Connection, dids: Iterable[str], limit: int) -> set[str]:
    """Up to `limit` followers per account of `dids` without a followers count, each account's
    sample drawn with a seed of its DID (the same account draws the same sample)."""
    followers: dict[str, list[str]] = {}
    wanted = sorted(set(dids))
    for start in range(0, len(wanted), 500):
        rows = conn.execute(
            sa.select(Follow.followee, Follow.follower)
            .outerjoin(
                Account,
                sa.and_(Account.platform == Follow.platform, Account.handle == Follow.follower),
            )
            .where(
                Follow.platform == "bluesky",
                Follow.followee.in_(wanted[start : start + 500]),
                Account.followers_count.is_(None),
            )
            .order_by(Follow.followee, Follow.follower)
        )
        for followee, follower in rows:
            followers.setdefault(followee, []).append(follower)
    out: set[str] = set()
    for did, names in followers.items():
        if len(names) > limit:
            seed = int.from_bytes(hashlib.sha256(did.encode()).digest()[:8], "big")
            names = random.Random(seed).sample(names, limit)
        out.update(names)
    return out
