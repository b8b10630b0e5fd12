"""Cards for the accounts the ingester touched: claim, AppView lookups, cards under handles."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from werkzeug.wrappers import Response

from genuine.db import get_db
from genuine.jetstream import batch, rescore
from genuine.jetstream.events import Follow, Identity, Post, Status
from genuine.labeler.emit import subjects
from genuine.models import Account, BadgeCard, BlueskyActor, lookup_key
from genuine.pipeline.queue import queue_dirty
from genuine.sources.bluesky import BlueskySource

T0 = 1_780_000_000_000_000
WHEN = datetime(2026, 5, 28, 10, tzinfo=UTC)
NOW = datetime(2026, 7, 1, tzinfo=UTC)  # every question watched for weeks
AFTER = timedelta(minutes=10)
STAR, FANS = "did:plc:" + "s" * 24, [f"did:plc:{n:024d}" for n in range(12)]


@pytest.fixture
def engine(app):
    app.config.update(PUBLIC_URL="http://genuine.test", QUEUE_IMMEDIATE=True, RESCORE_APPVIEW=False)
    return get_db(app).engine


def apply(engine, events, now=NOW):
    with engine.begin() as conn:
        batch.apply(conn, events, T0 + 10**6, now=now)


def world(named=True):
    """A dozen fans follow the star; some ask it questions, it answers half of them."""
    events = [Follow(f, T0 + i, f"f{i}", False, STAR, WHEN) for i, f in enumerate(FANS)]
    for i, fan in enumerate(FANS[:8]):
        asked = WHEN + timedelta(hours=i)
        events.append(Post(fan, T0 + 100 + i, f"q{i}", False, asked, "@star help?", None, None))
        events.append(
            Post(fan, T0 + 200 + i, f"r{i}", False, asked, "how do I?", f"{STAR}/root", STAR)
        )
        if i % 2 == 0:
            events.append(
                Post(
                    STAR,
                    T0 + 300 + i,
                    f"a{i}",
                    False,
                    asked + timedelta(minutes=5),
                    "like this",
                    f"{fan}/r{i}",
                    fan,
                )
            )
    if named:
        events.append(Identity(STAR, T0 + 400, "star.bsky.social"))
    return events


def card(engine, handle):
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(BadgeCard.card).where(BadgeCard.lookup_key == lookup_key("bluesky", handle))
        ).scalar_one_or_none()
    return row


def actor(engine, did):
    with engine.connect() as conn:
        return conn.execute(sa.select(BlueskyActor).where(BlueskyActor.did == did)).one()


def test_claimed_accounts_get_cards_under_their_handle(app, engine, client):
    apply(engine, world())
    dids = rescore.claim(engine, NOW, AFTER, 100)
    assert set(dids) == {STAR, *FANS}
    done = rescore.rescore(engine, app.config, dids, now=NOW)
    assert done.carded == 1 and done.no_handle == len(FANS)  # only the star has a handle
    made = card(engine, "star.bsky.social")
    assert made["handle"] == "star.bsky.social"
    assert made["report_url"] == "http://genuine.test/report/bluesky/star.bsky.social"
    reply = made["badges"]["reply_rate"]
    # Half answered; the last question (unanswered) was watched 5 minutes before the data
    # ends, so the censored estimate is 4 answered of the 7 watched long enough.
    assert reply["sample_size"] == 8 and reply["answered_share"] == pytest.approx(4 / 7)
    assert card(engine, STAR) is None  # never under the DID: nobody looks a DID up
    answer = client.get("/api/v1/badges/bluesky/star.bsky.social")
    assert answer.status_code == 200 and answer.get_json()["handle"] == "star.bsky.social"
    assert actor(engine, STAR).dirty_at is None
    assert actor(engine, FANS[0]).dirty_at is not None  # no handle: tried again later


def test_at_most_once_per_rescore_after(app, engine):
    apply(engine, world())
    rescore.rescore(engine, app.config, rescore.claim(engine, NOW, AFTER, 100), now=NOW)
    apply(engine, [Follow(FANS[0], T0 + 9000, "again", False, STAR, WHEN)], now=NOW)
    assert STAR not in rescore.claim(engine, NOW + AFTER / 2, AFTER, 100)
    assert STAR in rescore.claim(engine, NOW + AFTER, AFTER, 100)


def test_an_event_during_rescoring_keeps_the_account_dirty(app, engine):
    apply(engine, world())
    dids = rescore.claim(engine, NOW, AFTER, 100)
    apply(engine, [Follow(FANS[0], T0 + 9000, "again", False, STAR, WHEN)], now=NOW + AFTER / 9)
    rescore.rescore(engine, app.config, dids, now=NOW)
    assert card(engine, "star.bsky.social") is not None
    assert actor(engine, STAR).dirty_at is not None  # carded, and due again


def test_deactivated_after_the_claim_gets_no_card(app, engine):
    apply(engine, world())
    dids = rescore.claim(engine, NOW, AFTER, 100)
    apply(engine, [Status(STAR, T0 + 9000, False, "deactivated")])
    done = rescore.rescore(engine, app.config, dids, now=NOW)
    assert card(engine, "star.bsky.social") is None and done.carded == 0
    assert STAR not in rescore.claim(engine, NOW + 2 * AFTER, AFTER, 100)  # inactive


def test_a_handle_change_moves_the_card(app, engine):
    apply(engine, world())
    rescore.rescore(engine, app.config, rescore.claim(engine, NOW, AFTER, 100), now=NOW)
    apply(engine, [Identity(STAR, T0 + 9000, "star.example.com")])
    assert card(engine, "star.bsky.social") is None  # withdrawn by the batch
    later = NOW + AFTER
    rescore.rescore(engine, app.config, rescore.claim(engine, later, AFTER, 100), now=later)
    assert card(engine, "star.example.com")["handle"] == "star.example.com"


def test_queue_dirty_cards_through_the_worker_task(app, engine):
    apply(engine, world())
    app.config.update(RESCORE_BATCH=5)  # three jobs for thirteen accounts
    assert queue_dirty(app, now=NOW) == 1 + len(FANS)
    assert card(engine, "star.bsky.social") is not None
    assert queue_dirty(app, now=NOW) == 0  # claimed: nothing due until RESCORE_AFTER


class FakeAppView:
    """getProfiles of a few known accounts; counts every request."""

    def __init__(self, profiles):
        self.profiles, self.requests = profiles, []

    def __call__(self, request):
        actors = request.args.getlist("actors")
        self.requests.append(actors)
        found = [self.profiles[a] for a in actors if a in self.profiles]
        return Response(json.dumps({"profiles": found}), content_type="application/json")


def profile(did, handle, followers=3, follows=900):
    return {
        "did": did,
        "handle": handle,
        "displayName": handle.split(".")[0],
        "followersCount": followers,
        "followsCount": follows,
        "postsCount": 1,
        "createdAt": "2026-05-01T00:00:00Z",
    }


def test_the_appview_names_accounts_and_counts_sampled_followers(app, engine, httpserver):
    profiles = {f: profile(f, f"fan{i}.bsky.social") for i, f in enumerate(FANS)}
    profiles[STAR] = profile(STAR, "star.bsky.social", followers=12, follows=3)
    profiles[FANS[1]]["handle"] = "handle.invalid"
    fake = FakeAppView(profiles)
    httpserver.expect_request("/xrpc/app.bsky.actor.getProfiles").respond_with_handler(fake)
    config = {"PUBLIC_URL": "http://genuine.test", "BLUESKY_BASE_URL": httpserver.url_for("/")}
    app.config.update(RESCORE_PROFILES=5)
    apply(engine, world(named=False))
    dids = rescore.claim(engine, NOW, AFTER, 100)
    done = rescore.rescore(engine, app.config, dids, now=NOW, source=BlueskySource(config))
    assert all(len(r) <= 25 for r in fake.requests)
    assert done.carded == 1 + len(FANS) - 1 and done.no_handle == 1  # fan 1: handle.invalid
    star = card(engine, "star.bsky.social")
    assert star is not None and card(engine, "fan0.bsky.social") is not None
    assert actor(engine, FANS[1]).handle is None and actor(engine, FANS[1]).dirty_at
    with engine.connect() as conn:
        counted = conn.execute(
            sa.select(sa.func.count())
            .select_from(Account)
            .where(Account.handle.in_(FANS), Account.followers_count.is_not(None))
        ).scalar_one()
    assert counted == len(FANS)  # every fan was a lookup: each had no handle yet


def test_appview_down_still_cards_what_it_can(app, engine, httpserver):
    httpserver.expect_request("/xrpc/app.bsky.actor.getProfiles").respond_with_data(
        "down", status=503
    )
    config = {
        "PUBLIC_URL": "http://genuine.test",
        "BLUESKY_BASE_URL": httpserver.url_for("/"),
        "SOURCE_RETRIES": 1,
        "SOURCE_BACKOFF": 0.01,
    }
    apply(engine, world())
    dids = rescore.claim(engine, NOW, AFTER, 100)
    done = rescore.rescore(engine, app.config, dids, now=NOW, source=BlueskySource(config))
    assert done.carded == 1 and done.profiles == 0
    assert card(engine, "star.bsky.social") is not None


def test_the_labeler_finds_the_did_of_an_ingested_card(app, engine):
    apply(engine, world())
    rescore.rescore(engine, app.config, rescore.claim(engine, NOW, AFTER, 100), now=NOW)
    with engine.connect() as conn:
        found = {s.handle: s.did for s in subjects(conn)}
    assert found == {"star.bsky.social": STAR}


def test_a_reactivated_account_is_carded_again(app, engine):
    apply(engine, world())
    rescore.rescore(engine, app.config, rescore.claim(engine, NOW, AFTER, 100), now=NOW)
    apply(engine, [Status(STAR, T0 + 9000, False, "deactivated")])
    assert card(engine, "star.bsky.social") is None
    apply(engine, [Status(STAR, T0 + 9001, True, "active")])
    later = NOW + AFTER
    assert STAR in rescore.claim(engine, later, AFTER, 100)
    rescore.rescore(engine, app.config, [STAR], now=later)
    assert card(engine, "star.bsky.social") is not None


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_a_claim_leaves_out_rows_another_claim_holds(app, engine):
    apply(engine, world())
    with engine.begin() as other:  # another scheduler mid-claim holds the star's row
        other.execute(
            sa.select(BlueskyActor.did).where(BlueskyActor.did == STAR).with_for_update()
        ).all()
        claimed = rescore.claim(engine, NOW, AFTER, 100)
    assert STAR not in claimed and set(claimed) == set(FANS)
    assert actor(engine, STAR).scored_at is None  # not stamped: still due for its holder
