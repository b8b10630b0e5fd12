"""The audit pipeline on SQLite and PostgreSQL, against fake platforms (no internet)."""

import re
import time
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from genuine.db import get_db
from genuine.models import Account, Audit, BadgeCard, Follow, Post, Snapshot
from genuine.pipeline import audits
from tests.sources.fakes import FakeBluesky, FakeMastodon


@pytest.fixture
def world(httpserver, app):
    mastodon, bluesky = FakeMastodon(followers=300), FakeBluesky(followers=150)
    httpserver.expect_request(re.compile(r"^/xrpc/.*")).respond_with_handler(bluesky)
    httpserver.expect_request(re.compile(r"^/api/.*")).respond_with_handler(mastodon)
    base = httpserver.url_for("/").rstrip("/")
    app.config.update(
        MASTODON_BASE_URL=base, BLUESKY_BASE_URL=base, SOURCE_BACKOFF=0.01, SOURCE_RETRIES=1
    )
    return mastodon, bluesky


def count(engine, model, **where) -> int:
    table = model.__table__
    query = sa.select(sa.func.count()).select_from(table)
    for name, value in where.items():
        query = query.where(table.c[name] == value)
    with engine.connect() as conn:
        return conn.execute(query).scalar_one()


def card(engine, platform, handle):
    table = BadgeCard.__table__
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(table.c.card).where(table.c.platform == platform, table.c.handle == handle)
        ).first()
    return row[0] if row else None


def run(app, platform, handle, followers=2000):
    engine = get_db(app).engine
    made, _ = audits.request_audit(engine, platform, handle, followers=followers)
    return audits.run_audit(engine, app.config, made["id"])


@pytest.mark.parametrize(
    ("platform", "handle", "followers"),
    [("mastodon", "alice@social.test", 300), ("bluesky", "alice.bsky.test", 150)],
)
def test_audit_stores_what_it_fetched_and_writes_a_card(app, world, platform, handle, followers):
    engine = get_db(app).engine
    done = run(app, platform, handle)
    assert done["status"] == "done", done["error"]
    assert done["requests"] > 5 and done["attempts"] == 1 and done["active_key"] is None
    assert count(engine, Account, platform=platform) == followers + 1
    assert count(engine, Follow, platform=platform, followee=handle) == followers
    assert count(engine, Snapshot, platform=platform, handle=handle) == 1
    assert count(engine, Post, platform=platform, in_reply_to_author=handle) == 6
    got = card(engine, platform, handle)
    risk = got["badges"]["follower_purchase_risk"]
    assert risk["sample_size"] == followers and risk["level"] in ("medium", "high")
    assert got["badges"]["reply_rate"]["sample_size"] > 0, got["badges"]["reply_rate"]
    # Only the audited account is scored: no cards for its followers.
    assert count(engine, BadgeCard) == 1


def test_reaudit_adds_a_snapshot_and_keeps_one_card(app, world):
    engine = get_db(app).engine
    first = run(app, "mastodon", "alice@social.test")
    world[0].main["followers_count"] = 5000  # a jump between snapshots
    second = run(app, "mastodon", "alice@social.test")
    assert first["id"] != second["id"] and second["status"] == "done"
    assert count(engine, Snapshot, handle="alice@social.test") == 2
    assert count(engine, BadgeCard) == 1


def test_failed_audit_keeps_the_previous_card(app, world, httpserver):
    engine = get_db(app).engine
    run(app, "bluesky", "alice.bsky.test")
    before = card(engine, "bluesky", "alice.bsky.test")
    httpserver.clear()
    httpserver.expect_request(re.compile(".*")).respond_with_json(
        {"error": "AccountTakedown", "message": "Account has been suspended"}, status=400
    )
    failed = run(app, "bluesky", "alice.bsky.test")
    assert failed["status"] == "failed" and "AccountTakedown" in failed["error"]
    assert card(engine, "bluesky", "alice.bsky.test") == before
    httpserver.clear()
    httpserver.expect_request(re.compile(".*")).respond_with_data("{not json", status=200)
    assert "malformed JSON" in run(app, "bluesky", "alice.bsky.test")["error"]
    assert card(engine, "bluesky", "alice.bsky.test") == before


def test_two_requests_share_one_audit(app):
    engine = get_db(app).engine
    a, created_a = audits.request_audit(engine, "mastodon", "bob@x.test", followers=10)
    b, created_b = audits.request_audit(engine, "mastodon", "bob@x.test", followers=10)
    assert created_a and not created_b and a["id"] == b["id"]
    assert count(engine, Audit) == 1


def test_a_lost_audit_is_taken_over_and_completes_once(app, world):
    engine = get_db(app).engine
    made, _ = audits.request_audit(engine, "mastodon", "alice@social.test", followers=50)
    first = audits.claim(engine, made["id"], lease_seconds=0.001)  # a worker that then dies
    assert first["status"] == "running"
    time.sleep(0.01)
    assert audits.claim(engine, made["id"], lease_seconds=60) is not None  # lease ran out
    assert audits.lost(engine, 60) == []
    # The dead worker comes back to life: it no longer owns the audit, writes nothing.
    stale = audits._owned(first)
    with engine.connect() as conn:
        assert conn.execute(sa.select(Audit.__table__.c.id).where(stale)).first() is None
    # The new owner is running it; a second message for it finds nothing to do.
    assert audits.run_audit(engine, app.config, made["id"]) is None


def test_lost_audits_are_found(app):
    engine = get_db(app).engine
    made, _ = audits.request_audit(engine, "mastodon", "carol@x.test", followers=10)
    audits.claim(engine, made["id"], lease_seconds=0.001)
    time.sleep(0.01)
    assert audits.lost(engine, 60) == [made["id"]]
    done = audits.run_audit(
        engine, {**app.config, "MASTODON_BASE_URL": "http://127.0.0.1:9"}, made["id"]
    )
    assert done["status"] == "failed" and done["attempts"] == 2


def test_stale_cards_of_audited_accounts(app, world):
    engine = get_db(app).engine
    run(app, "mastodon", "alice@social.test")
    assert audits.stale(engine, 1, ["mastodon", "bluesky"], 10) == []
    table = BadgeCard.__table__
    with engine.begin() as conn:
        conn.execute(table.update().values(computed_at=datetime.now(UTC) - timedelta(hours=2)))
    assert audits.stale(engine, 1, ["mastodon"], 10) == [("mastodon", "alice@social.test")]
    assert audits.stale(engine, 1, ["bluesky"], 10) == []
    audits.request_audit(engine, "mastodon", "alice@social.test", followers=10)
    assert audits.stale(engine, 1, ["mastodon"], 10) == []  # already queued


def test_an_audit_that_turns_a_published_consultants_card_bad_sends_them_to_review(
    app, world, monkeypatch
):
    from genuine.models import Submission
    from tests.cards import make_card
    from tests.directory.helpers import cards, review, submitted, user
    from tests.sources import fakes

    mastodon = world[0]
    monkeypatch.setattr(fakes, "_fake", lambda i: i % 2 == 0)  # half the followers bought
    mastodon.followers = [mastodon._follower(i) for i in range(len(mastodon.followers))]
    engine = get_db(app).engine
    handle = "alice@social.test"
    cards(app, make_card("mastodon", handle, risk="low"))
    owner = user(app, "alice@example.org")
    sub_id = submitted(app, owner, accounts=[{"platform": "mastodon", "handle": handle}])
    for name in ("r1", "r2"):
        review(app, user(app, f"{name}@example.org", "reviewer"), sub_id)
    with get_db(app).session() as session:
        assert session.get(Submission, sub_id).status == "published"
    done = run(app, "mastodon", handle)
    level = card(engine, "mastodon", handle)["badges"]["follower_purchase_risk"]["level"]
    with get_db(app).session() as session:
        status = session.get(Submission, sub_id).status
    assert done["status"] == "done"
    assert level == "high" and status == "under_review"


def test_submitting_queues_audits_for_auditable_accounts_without_a_card(app, client):
    from genuine.models import Audit
    from genuine.pipeline import queue
    from tests.directory.helpers import submitted, user

    owner = user(app, "bo@example.org")
    accounts = [
        {"platform": "mastodon", "handle": "bo@social.test"},
        {"platform": "instagram", "handle": "bo.shop"},
    ]
    with app.app_context():
        submitted(app, owner, accounts=accounts)
        pending = queue.get_huey(app).pending_count()
    engine = get_db(app).engine
    assert count(engine, Audit, platform="mastodon", handle="bo@social.test") == 1
    assert count(engine, Audit, platform="instagram") == 0  # no open API: nothing to queue
    assert pending == 1


@pytest.mark.parametrize("shown", [True, False])
def test_an_audit_checks_the_ownership_code_in_the_fetched_bio(app, world, shown):
    from genuine.directory import ownership
    from genuine.models import Submission
    from tests.directory.helpers import submitted, user

    mastodon = world[0]
    handle = "alice@social.test"
    owner = user(app, "alice@example.org")
    sub_id = submitted(
        app, owner, accounts=[{"platform": "mastodon", "handle": handle}], proven=False
    )
    code = ownership.code(app.config["SECRET_KEY"], sub_id, "mastodon", handle)
    mastodon.main["note"] = f"<p>Consultant &amp; writer. {code if shown else ''}</p>"
    assert run(app, "mastodon", handle)["status"] == "done"
    with get_db(app).session() as session:
        (account,) = session.get(Submission, sub_id).evidence["accounts"]
    assert account["ownership"]["verified"] is shown
    assert account["ownership"]["status"] == ("verified" if shown else "unverified")
    assert account["ownership"]["checked_at"]
