"""A batch of parsed Jetstream events applied to the store with its cursor (issue 13)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from genuine.db import get_db
from genuine.jetstream import batch
from genuine.jetstream.events import Follow, Identity, Post, Profile, Status
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

T0 = 1_780_000_000_000_000
WHEN = datetime(2026, 5, 28, 10, tzinfo=UTC)
A, B, C = (f"did:plc:{n:024d}" for n in (1, 2, 3))


@pytest.fixture
def engine(app):
    return get_db(app).engine


def run(engine, events, cursor=T0 + 999):
    with engine.begin() as conn:
        return batch.apply(conn, events, cursor)


def follow(who, t, rkey, subject):
    return Follow(who, T0 + t, rkey, False, subject, WHEN)


def unfollow(who, t, rkey):
    return Follow(who, T0 + t, rkey, True)


def follows(engine):
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(FollowRow.follower, FollowRow.followee, FollowRow.followed_at)
        )
        return {(f, e): at for f, e, at in rows}


def rkeys(engine):
    with engine.connect() as conn:
        rows = conn.execute(sa.select(FollowRkey.did, FollowRkey.rkey, FollowRkey.subject))
        return set(map(tuple, rows))


def snapshot(engine):
    """Every table the batch writes, dirty_at and cursor updated_at left out (they are now)."""
    tables = {
        "account": Account.__table__,
        "follow": FollowRow.__table__,
        "post": PostRow.__table__,
        "rkey": FollowRkey.__table__,
        "card": BadgeCard.__table__,
    }
    out = {}
    with engine.connect() as conn:
        for name, table in tables.items():
            out[name] = sorted(map(repr, conn.execute(sa.select(table)).all()))
        actors = BlueskyActor.__table__
        out["actor"] = sorted(
            map(repr, conn.execute(sa.select(*(c for c in actors.c if c.name != "dirty_at"))))
        )
        out["cursor"] = conn.execute(sa.select(IngestCursor.time_us)).all()
    return out


def test_follow_then_unfollow_in_one_batch_nets_to_nothing(engine):
    run(engine, [follow(A, 1, "r1", B), unfollow(A, 2, "r1"), follow(A, 3, "r2", C)])
    assert set(follows(engine)) == {(A, C)}
    assert rkeys(engine) == {(A, "r2", C)}


def test_unfollow_then_refollow_in_one_batch_keeps_the_follow(engine):
    run(engine, [follow(A, 1, "r1", B)])
    run(engine, [unfollow(A, 2, "r1"), follow(A, 3, "r2", B)])
    assert set(follows(engine)) == {(A, B)}
    assert rkeys(engine) == {(A, "r2", B)}


def test_unfollow_across_batches_finds_the_subject_by_rkey(engine):
    run(engine, [follow(A, 1, "r1", B), follow(A, 2, "r2", C)])
    assert set(follows(engine)) == {(A, B), (A, C)}
    run(engine, [unfollow(A, 3, "r1")])
    assert set(follows(engine)) == {(A, C)}
    assert rkeys(engine) == {(A, "r2", C)}
    run(engine, [unfollow(A, 4, "unknown")])  # an rkey never seen: nothing to remove
    assert set(follows(engine)) == {(A, C)}


def test_a_second_rkey_to_the_same_subject_keeps_the_follow_until_both_go(engine):
    run(engine, [follow(A, 1, "r1", B), follow(A, 2, "r2", B)])  # one follow, not a duplicate
    assert set(follows(engine)) == {(A, B)}
    run(engine, [unfollow(A, 3, "r1")])
    assert set(follows(engine)) == {(A, B)}
    run(engine, [unfollow(A, 4, "r2")])
    assert follows(engine) == {} and rkeys(engine) == set()


def test_posts_with_reply_parents_and_deletes(engine):
    parent = Post(B, T0 + 1, "p1", False, WHEN, "first")
    reply = Post(A, T0 + 2, "p2", False, WHEN, "re", reply_parent=parent.post_id, reply_author=B)
    run(
        engine,
        [parent, reply, Post(C, T0 + 3, "p3", False, WHEN, "x"), Post(C, T0 + 4, "p3", True)],
    )
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                PostRow.post_id,
                PostRow.author,
                PostRow.in_reply_to_post_id,
                PostRow.in_reply_to_author,
                PostRow.text,
            )
        ).all()
    assert sorted(map(tuple, rows)) == sorted(
        [(parent.post_id, B, None, None, "first"), (reply.post_id, A, parent.post_id, B, "re")]
    )
    run(engine, [Post(A, T0 + 5, "p2", True)])
    with engine.connect() as conn:
        assert conn.execute(sa.select(PostRow.post_id)).scalars().all() == [parent.post_id]


def test_profile_updates_its_columns_and_keeps_the_counts(engine):
    accounts = Account.__table__
    with engine.begin() as conn:
        conn.execute(
            accounts.insert().values(
                platform="bluesky", handle=A, followers_count=42, posts_count=7, extra={}
            )
        )
    run(engine, [Profile(A, T0 + 1, "self", False, "Ann", "hello", True, False)])
    run(engine, [Profile(B, T0 + 2, "self", False, "Bob", None, False, False)])
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                accounts.c.handle,
                accounts.c.display_name,
                accounts.c.bio,
                accounts.c.has_avatar,
                accounts.c.followers_count,
                accounts.c.posts_count,
            )
        ).all()
    assert sorted(map(tuple, rows)) == [
        (A, "Ann", "hello", True, 42, 7),
        (B, "Bob", None, False, None, None),
    ]
    run(engine, [Profile(A, T0 + 3, "self", True, has_avatar=False, has_banner=False)])
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(
                accounts.c.display_name, accounts.c.has_avatar, accounts.c.followers_count
            ).where(accounts.c.handle == A)
        ).one()
    assert tuple(row) == (None, False, 42)


def _card(conn, handle):
    key = lookup_key("bluesky", handle)
    values = {"lookup_key": key, "platform": "bluesky", "handle": handle, "computed_at": WHEN}
    conn.execute(
        BadgeCard.__table__.insert().values(
            **values, model_version="t", card={}, etag="e", compact='{"badges":{}}'
        )
    )
    conn.execute(AccountReport.__table__.insert().values(**values, evidence={}))


def _cards(engine):
    with engine.connect() as conn:
        cards = set(conn.execute(sa.select(BadgeCard.handle)).scalars())
        reports = set(conn.execute(sa.select(AccountReport.handle)).scalars())
    assert cards == reports
    return cards


def _actor(engine, did):
    with engine.connect() as conn:
        return conn.execute(
            sa.select(
                BlueskyActor.handle, BlueskyActor.active, BlueskyActor.status, BlueskyActor.dirty_at
            ).where(BlueskyActor.did == did)
        ).one()


def test_identity_sets_the_handle_and_a_change_withdraws_the_old_card(engine):
    run(engine, [Identity(A, T0 + 1, "ann.bsky.social")])
    assert _actor(engine, A).handle == "ann.bsky.social"
    with engine.begin() as conn:
        _card(conn, "ann.bsky.social")
        _card(conn, "bob.bsky.social")
    run(engine, [Identity(A, T0 + 2, "ann.example.com")])
    assert _actor(engine, A).handle == "ann.example.com"
    assert _cards(engine) == {"bob.bsky.social"}


def test_a_handle_taken_over_by_another_did_leaves_the_previous_holder(engine):
    run(engine, [Identity(A, T0 + 1, "ann.bsky.social")])
    with engine.begin() as conn:
        _card(conn, "ann.bsky.social")
    run(engine, [Identity(B, T0 + 2, "ann.bsky.social")])
    assert _actor(engine, A).handle is None
    assert _actor(engine, B).handle == "ann.bsky.social"
    assert _cards(engine) == set()
    # In one batch, the later event wins, whatever order the list holds them in.
    run(engine, [Identity(C, T0 + 4, "cat.bsky.social"), Identity(A, T0 + 3, "cat.bsky.social")])
    assert (_actor(engine, A).handle, _actor(engine, C).handle) == (None, "cat.bsky.social")


def test_account_deletion_withdraws_its_card(engine):
    run(engine, [Identity(A, T0 + 1, "ann.bsky.social"), Identity(B, T0 + 1, "bob.bsky.social")])
    with engine.begin() as conn:
        _card(conn, "ann.bsky.social")
        _card(conn, A)
        _card(conn, "bob.bsky.social")
    run(engine, [Status(A, T0 + 2, False, "deleted"), Status(B, T0 + 2, True, "active")])
    assert _cards(engine) == {"bob.bsky.social"}
    actor = _actor(engine, A)
    assert (actor.active, actor.status) == (False, "deleted")
    assert _actor(engine, B).active is True


def test_touched_actors_are_dirty_and_subjects_only_if_known(engine):
    now = datetime(2026, 12, 3, 12, tzinfo=UTC)
    with engine.begin() as conn:
        batch.apply(conn, [Identity(B, T0, "bob.bsky.social")], T0, now=WHEN)
        batch.apply(conn, [follow(A, 1, "r1", B), follow(A, 2, "r2", C)], T0 + 2, now=now)
    assert _actor(engine, A).dirty_at == now
    assert _actor(engine, B).dirty_at == now  # followed, and already an actor
    with engine.connect() as conn:  # C only was followed: not an actor yet
        assert conn.execute(sa.select(BlueskyActor.did).where(BlueskyActor.did == C)).all() == []


def test_replaying_a_batch_changes_nothing(engine):
    events = [
        Identity(A, T0 + 1, "ann.bsky.social"),
        follow(A, 2, "r1", B),
        follow(A, 3, "r2", C),
        unfollow(A, 4, "r2"),
        Post(A, T0 + 5, "p1", False, WHEN, "hi"),
        Post(B, T0 + 6, "p2", False, WHEN, "re", reply_parent="did:plc:x/p1", reply_author=A),
        Post(B, T0 + 7, "p3", False, WHEN, "gone"),
        Post(B, T0 + 8, "p3", True),
        Profile(A, T0 + 9, "self", False, "Ann", "bio", True, False),
        Status(C, T0 + 10, False, "takendown"),
    ]
    run(engine, events, T0 + 10)
    first = snapshot(engine)
    run(engine, events, T0 + 10)
    assert snapshot(engine) == first
    assert set(follows(engine)) == {(A, B)}


def test_the_cursor_is_stored_with_the_batch_or_not_at_all(engine):
    run(engine, [follow(A, 1, "r1", B)], T0 + 1)
    with engine.connect() as conn:
        assert conn.execute(sa.select(IngestCursor.stream, IngestCursor.time_us)).all() == [
            ("jetstream", T0 + 1)
        ]
    with pytest.raises(RuntimeError), engine.begin() as conn:
        batch.apply(conn, [follow(A, 2, "r2", C)], T0 + 2)
        raise RuntimeError("the caller fails before commit")
    with engine.connect() as conn:
        assert conn.execute(sa.select(IngestCursor.time_us)).scalar_one() == T0 + 1
    assert set(follows(engine)) == {(A, B)}
    run(engine, [follow(A, 3, "r3", C)], T0 + 3)
    with engine.connect() as conn:
        assert conn.execute(sa.select(IngestCursor.time_us)).scalar_one() == T0 + 3
    assert follows(engine)[(A, C)] is not None
