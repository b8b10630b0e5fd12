"""One batch of parsed Jetstream events → the store, inside the caller's transaction (issue 13).

`apply(conn, events, cursor_time_us)` writes what the events mean and the cursor that ends
them in the caller's transaction, so a batch and its cursor commit together or not at all.

The batch is reduced in stream order first, last write wins per record (repo DID + rkey for
follows, post id for posts, DID for profiles, identities and statuses): the importer refuses
a key twice in one import, and a follow then unfollow nets to nothing. Every write is an
idempotent upsert or delete keyed by the record's identity, so applying a batch twice (a
replay after a restart) leaves the store as the first time.

- Follows and posts go through `genuine.importing.import_into` (source "jetstream"). A
  follow delete carries only its rkey: the subject is found in `FollowRkey`, and the follow
  is removed only when no other rkey of the same DID still points at that subject.
- Profiles update the account's display name, bio and avatar presence with a direct upsert
  of those columns only: the importer's account merge would overwrite every other column
  (the counts the AppView gave, for one).
- Identity sets `BlueskyActor.handle`; a changed handle withdraws the card under the old one
  (the old handle stops resolving), and a handle taken over from another DID is cleared
  there, its card withdrawn (it described the previous holder). An inactive account's cards
  are withdrawn.
- Every acting DID gets a `BlueskyActor` row with `dirty_at` set (rescored later); a follow's
  subject or a reply's parent author is marked dirty only if it is already an actor.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from genuine.formats import Record
from genuine.importing import import_into
from genuine.jetstream import events as ev
from genuine.models import (
    Account,
    AccountReport,
    BadgeCard,
    BlueskyActor,
    FollowRkey,
    IngestCursor,
    lookup_key,
)
from genuine.models import Follow as FollowRow
from genuine.models import Post as PostRow

PLATFORM = "bluesky"
SOURCE = "jetstream"
STREAM = "jetstream"
CHUNK = 500  # values per IN (...) list: well under SQLite's bound-parameter limit

_actors = BlueskyActor.__table__
_rkeys = FollowRkey.__table__
_follows = FollowRow.__table__
_posts = PostRow.__table__
_accounts = Account.__table__


def _insert(conn: sa.Connection, table: sa.Table):
    return (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(table)


def chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _reduce(events: Iterable[ev.Event]) -> dict[str, dict]:
    """Last event per record key, per kind, in stream order."""
    out: dict[str, dict] = {"follow": {}, "post": {}, "profile": {}, "identity": {}, "status": {}}
    for event in events:
        if isinstance(event, ev.Follow):
            out["follow"][(event.did, event.rkey)] = event
        elif isinstance(event, ev.Post):
            out["post"][event.post_id] = event
        elif isinstance(event, ev.Profile):
            out["profile"][event.did] = event
        elif isinstance(event, ev.Identity):
            out["identity"][event.did] = event
        elif isinstance(event, ev.Status):
            out["status"][event.did] = event
        # anything else (a Bad) is the caller's to count; it is not applied
    return out


def _follow_changes(
    conn: sa.Connection, final: dict[tuple[str, str], ev.Follow]
) -> tuple[list[Record], set[str]]:
    """Apply the rkey rows; return the follow records to import and the subjects touched."""
    keys = list(final)
    known: dict[tuple[str, str], str] = {}
    for chunk in chunks(keys):
        rows = conn.execute(
            sa.select(_rkeys.c.did, _rkeys.c.rkey, _rkeys.c.subject).where(
                sa.tuple_(_rkeys.c.did, _rkeys.c.rkey).in_(chunk)
            )
        )
        known.update({(did, rkey): subject for did, rkey, subject in rows})
    pairs = {(did, subject) for (did, _), subject in known.items()}
    pairs |= {(e.did, e.subject) for e in final.values() if not e.delete}
    gone = [key for key, e in final.items() if e.delete]
    for chunk in chunks(gone):
        conn.execute(_rkeys.delete().where(sa.tuple_(_rkeys.c.did, _rkeys.c.rkey).in_(chunk)))
    made = [e for e in final.values() if not e.delete]
    if made:
        insert = _insert(conn, _rkeys)
        rows = [
            {
                "did": e.did,
                "rkey": e.rkey,
                "subject": e.subject,
                "first_seen": ev.time_of(e.time_us),
            }
            for e in made
        ]
        conn.execute(
            insert.on_conflict_do_update(
                index_elements=["did", "rkey"], set_={"subject": insert.excluded.subject}
            ),
            rows,
        )
    # A pair keeps its follow while any rkey of the follower still points at the subject.
    alive: set[tuple[str, str]] = set()
    pair_list = sorted(pairs)
    for chunk in chunks(pair_list):
        rows = conn.execute(
            sa.select(_rkeys.c.did, _rkeys.c.subject)
            .where(sa.tuple_(_rkeys.c.did, _rkeys.c.subject).in_(chunk))
            .distinct()
        )
        alive.update(map(tuple, rows))
    dead = [pair for pair in pair_list if pair not in alive]
    for chunk in chunks(dead):
        conn.execute(
            _follows.delete().where(
                _follows.c.platform == PLATFORM,
                sa.tuple_(_follows.c.follower, _follows.c.followee).in_(chunk),
            )
        )
    records: dict[tuple[str, str], Record] = {}
    for e in made:  # one record per pair: two live rkeys to one subject are one follow
        values = {"platform": PLATFORM, "follower": e.did, "followee": e.subject}
        records[(e.did, e.subject)] = Record(
            "follow", SOURCE, len(records) + 1, {**values, "followed_at": e.created_at}
        )
    return list(records.values()), {subject for _, subject in pairs}


def _post_changes(conn: sa.Connection, final: dict[str, ev.Post]) -> tuple[list[Record], set[str]]:
    gone = [pid for pid, e in final.items() if e.delete]
    for chunk in chunks(gone):
        conn.execute(
            _posts.delete().where(_posts.c.platform == PLATFORM, _posts.c.post_id.in_(chunk))
        )
    records, parents = [], set()
    for pid, e in final.items():
        if e.delete:
            continue
        values = {
            "platform": PLATFORM,
            "post_id": pid,
            "author": e.did,
            "created_at": e.created_at,
            "in_reply_to_post_id": e.reply_parent,
            "in_reply_to_author": e.reply_author,
            "text": e.text,
            "extra": {},
        }
        records.append(Record("post", SOURCE, len(records) + 1, values))
        if e.reply_author:
            parents.add(e.reply_author)
    return records, parents


def _profiles(conn: sa.Connection, final: dict[str, ev.Profile]) -> None:
    if not final:
        return
    rows = [
        {
            "platform": PLATFORM,
            "handle": e.did,
            "display_name": e.display_name,
            "bio": e.bio,
            "has_avatar": e.has_avatar,
            "created_at": e.created_at,
            "extra": {},
        }
        for e in sorted(final.values(), key=lambda e: e.did)  # DID order: see set_handles
    ]
    insert = _insert(conn, _accounts)
    created = sa.func.coalesce(_accounts.c.created_at, insert.excluded.created_at)
    conn.execute(
        insert.on_conflict_do_update(
            index_elements=["platform", "handle"],
            set_={
                "display_name": insert.excluded.display_name,
                "bio": insert.excluded.bio,
                "has_avatar": insert.excluded.has_avatar,
                "created_at": created,
            },
        ),
        rows,
    )


def withdraw(conn: sa.Connection, handles: set[str]) -> None:
    """Delete the cards (and their reports) served under these handles or DIDs."""
    keys = sorted(lookup_key(PLATFORM, h) for h in handles)
    for chunk in chunks(keys):
        for table in (BadgeCard.__table__, AccountReport.__table__):
            conn.execute(table.delete().where(table.c.lookup_key.in_(chunk)))


def _actors_touched(
    conn: sa.Connection, reduced: dict[str, dict], others: set[str], now: datetime
) -> None:
    first: dict[str, int] = {}
    for kind in reduced.values():
        for e in kind.values():
            first[e.did] = min(first.get(e.did, e.time_us), e.time_us)
    if first:
        insert = _insert(conn, _actors)
        rows = [  # in DID order, as every writer of actor rows locks them
            {"did": did, "first_seen": ev.time_of(t), "dirty_at": now}
            for did, t in sorted(first.items())
        ]
        conn.execute(
            insert.on_conflict_do_update(index_elements=["did"], set_={"dirty_at": now}), rows
        )
    for chunk in chunks(sorted(others - set(first))):  # counted by others; not yet actors
        conn.execute(_actors.update().where(_actors.c.did.in_(chunk)).values(dirty_at=now))
    gone = set_handles(conn, reduced["identity"].values())
    for e in reduced["status"].values():
        conn.execute(
            _actors.update().where(_actors.c.did == e.did).values(active=e.active, status=e.status)
        )
    inactive = [e.did for e in reduced["status"].values() if not e.active]
    for chunk in chunks(inactive):
        rows = conn.execute(
            sa.select(_actors.c.did, _actors.c.handle).where(_actors.c.did.in_(chunk))
        )
        for did, handle in rows:
            gone.update(h for h in (did, handle) if h)
    if gone:
        withdraw(conn, gone)


def set_handles(conn: sa.Connection, identities: Iterable[ev.Identity]) -> set[str]:
    """Give each DID the handle its identity names; return the handles whose cards must go:
    a DID's old handle (it stops resolving) and a handle taken over from another DID (its
    card described the previous holder, whose handle is cleared)."""
    withdraw: set[str] = set()
    changed = list(identities)
    old: dict[str, str | None] = {}
    for chunk in chunks([e.did for e in changed]):
        rows = conn.execute(
            sa.select(_actors.c.did, _actors.c.handle).where(_actors.c.did.in_(chunk))
        )
        old.update(dict(rows.all()))
    for e in sorted(changed, key=lambda e: (e.time_us, e.did)):
        if old.get(e.did) and old[e.did] != e.handle:
            withdraw.add(old[e.did])
        if e.handle:
            moved = conn.execute(
                _actors.update()
                .where(_actors.c.handle == e.handle, _actors.c.did != e.did)
                .values(handle=None)
            )
            if moved.rowcount:
                withdraw.add(e.handle)
        conn.execute(_actors.update().where(_actors.c.did == e.did).values(handle=e.handle))
        old[e.did] = e.handle
    return withdraw


def apply(
    conn: sa.Connection,
    events: Iterable[ev.Event],
    cursor_time_us: int,
    *,
    stream: str = STREAM,
    now: datetime | None = None,
) -> int:
    """Apply `events` (stream order, Bad ones already skipped) and store the cursor, all in
    `conn`'s transaction. Returns how many records were applied after reduction."""
    now = now or datetime.now(UTC)
    reduced = _reduce(events)
    follows, subjects = _follow_changes(conn, reduced["follow"])
    posts, parents = _post_changes(conn, reduced["post"])
    _profiles(conn, reduced["profile"])
    if follows or posts:
        import_into(conn, [*follows, *posts], count=False)
    _actors_touched(conn, reduced, subjects | parents, now)
    insert = _insert(conn, IngestCursor.__table__)
    conn.execute(
        insert.on_conflict_do_update(
            index_elements=["stream"],
            set_={"time_us": insert.excluded.time_us, "updated_at": insert.excluded.updated_at},
        ),
        {"stream": stream, "time_us": cursor_time_us, "updated_at": now},
    )
    return sum(len(kind) for kind in reduced.values())
