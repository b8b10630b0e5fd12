"""Submissions and reviews against the database (SQLite and PostgreSQL): evidence, decisions,
the append-only log, concurrency, re-audits, delisting and appeals."""

import threading
import time

import pytest
import sqlalchemy as sa

from genuine.db import get_db
from genuine.directory import evidence, log, workflow
from genuine.models import DirectoryLog, OutboxMessage, Review, Submission
from tests.directory.helpers import cards, make_card, review, submitted, user


def actions(app, submission_id=None):
    query = sa.select(DirectoryLog.action).order_by(DirectoryLog.id)
    if submission_id is not None:
        query = query.where(DirectoryLog.submission_id == submission_id)
    with get_db(app).session() as session:
        return list(session.execute(query).scalars())


def load(app, submission_id) -> Submission:
    with get_db(app).session() as session:
        return session.get(Submission, submission_id)


@pytest.fixture
def people(app):
    return {
        "owner": user(app, "owner@example.org"),
        "r1": user(app, "r1@example.org", "reviewer"),
        "r2": user(app, "r2@example.org", "reviewer"),
        "r3": user(app, "r3@example.org", "reviewer"),
        "admin": user(app, "admin@example.org", "admin"),
    }


def test_submit_attaches_cards_and_records_the_need_for_missing_ones(app, people):
    cards(app, make_card("x", "janedoe"))
    accounts = [
        {"platform": "x", "handle": "janedoe"},
        {"platform": "bluesky", "handle": "j.bsky.social"},
    ]
    sub_id = submitted(app, people["owner"], accounts=accounts)
    sub = load(app, sub_id)
    assert sub.status == "under_review" and sub.round == 1
    attached = {a["handle"]: a for a in sub.evidence["accounts"]}
    assert attached["janedoe"]["card"]["badges"]["follower_purchase_risk"]["level"] == "low"
    assert attached["j.bsky.social"]["card"] is None
    assert attached["j.bsky.social"]["note"] == "no card yet"
    with get_db(app).session() as session:
        needed = session.execute(
            sa.select(DirectoryLog).where(DirectoryLog.action == "audit_requested")
        ).scalar_one()
    assert needed.detail == {"platform": "bluesky", "handle": "j.bsky.social"}


def test_two_approvals_publish_and_the_consultant_is_told(app, people):
    sub_id = submitted(app, people["owner"])
    assert review(app, people["r1"], sub_id)[1] is None
    assert review(app, people["r2"], sub_id)[1] == "published"
    sub = load(app, sub_id)
    assert sub.status == "published" and sub.slug == "jane-doe" and sub.published_at
    assert actions(app, sub_id)[-2:] == ["reviewed", "published"]
    with get_db(app).session() as session:
        mail = session.execute(sa.select(OutboxMessage)).scalars().all()
    assert [m.recipient for m in mail] == ["owner@example.org"]


def test_owners_conflicted_and_plain_consultants_cannot_review(app, people):
    reviewer_owner = user(app, "self@example.org", "reviewer")
    own = submitted(app, reviewer_owner, name="Self Reviewer")
    with pytest.raises(workflow.NotAllowed, match="your own submission"):
        review(app, reviewer_owner, own)
    with get_db(app).session() as session, session.begin():
        workflow.declare_conflict(session, people["r1"], own, "former colleague")
    with pytest.raises(workflow.NotAllowed, match="conflict of interest"):
        review(app, people["r1"], own)
    with pytest.raises(workflow.NotAllowed, match="only reviewers"):
        review(app, people["owner"], own)
    with get_db(app).session() as session:
        assert session.execute(sa.select(sa.func.count()).select_from(Review)).scalar() == 0


def test_risky_own_accounts_need_each_approver_to_override(app, people):
    cards(app, make_card("x", "janedoe", risk="high"))
    sub_id = submitted(app, people["owner"])
    with pytest.raises(workflow.DirectoryError) as refused:
        review(app, people["r1"], sub_id)
    assert "override_reason" in refused.value.fields
    review(app, people["r1"], sub_id, override_reason="Old purchase, cleaned up in 2025.")
    with pytest.raises(workflow.DirectoryError):
        review(app, people["r2"], sub_id)
    assert review(app, people["r2"], sub_id, override_reason="Checked the cleanup.")[1] == (
        "published"
    )


def test_changes_requested_then_resubmitted_in_a_new_round(app, people):
    sub_id = submitted(app, people["owner"])
    review(app, people["r1"], sub_id)
    assert review(app, people["r2"], sub_id, "request_changes")[1] == "changes_requested"
    with get_db(app).session() as session, session.begin():
        workflow.save_profile(session, people["owner"], load(app, sub_id).profile)
        workflow.submit(session, people["owner"], config=app.config)
    assert load(app, sub_id).round == 2
    assert review(app, people["r1"], sub_id)[1] is None  # round 1's approval does not count
    assert review(app, people["r3"], sub_id)[1] == "published"


def test_a_rejection_stands_until_two_reject_or_it_is_revised(app, people):
    sub_id = submitted(app, people["owner"])
    review(app, people["r1"], sub_id)
    review(app, people["r2"], sub_id, "reject")
    assert review(app, people["r3"], sub_id)[1] is None
    assert load(app, sub_id).status == "under_review"
    assert review(app, people["r3"], sub_id, "reject")[1] == "rejected"


def test_editing_under_review_is_refused_and_withdrawing_allows_it(app, people):
    sub_id = submitted(app, people["owner"])
    with (
        pytest.raises(workflow.NotAllowed, match="withdraw it first"),
        get_db(app).session() as session,
        session.begin(),
    ):
        workflow.save_profile(session, people["owner"], load(app, sub_id).profile)
    with get_db(app).session() as session, session.begin():
        workflow.withdraw(session, people["owner"])
        workflow.save_profile(session, people["owner"], load(app, sub_id).profile)
    assert load(app, sub_id).status == "withdrawn"


def test_two_approvals_at_the_same_moment_publish_exactly_once(app, people, monkeypatch):
    sub_id = submitted(app, people["owner"])
    slow = workflow.round_reviews

    def slowly(session, sub):  # widen the window between recording and counting
        time.sleep(0.3)
        return slow(session, sub)

    monkeypatch.setattr(workflow, "round_reviews", slowly)
    barrier, results, errors = threading.Barrier(2), [], []

    def approve(reviewer):
        barrier.wait()
        try:
            results.append(review(app, reviewer, sub_id)[1])
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=approve, args=(people[r],)) for r in ("r1", "r2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert errors == []
    assert sorted(results, key=str) == [None, "published"]
    assert actions(app, sub_id).count("published") == 1
    assert load(app, sub_id).status == "published"


def test_the_log_is_append_only_in_code_and_in_the_database(app, people):
    submitted(app, people["owner"])
    session = get_db(app).session()
    entry = session.execute(sa.select(DirectoryLog).limit(1)).scalar_one()
    entry.action = "forged"
    with pytest.raises(log.AppendOnlyError):
        session.commit()
    session.rollback()
    session.delete(session.get(DirectoryLog, entry.id))
    with pytest.raises(log.AppendOnlyError):
        session.commit()
    session.rollback()
    with pytest.raises(log.AppendOnlyError):
        session.execute(sa.delete(DirectoryLog))
    session.close()
    statements = ["UPDATE directorylog SET action = 'forged'", "DELETE FROM directorylog"]
    if get_db(app).engine.dialect.name == "postgresql":  # TRUNCATE fires no row trigger
        statements.append("TRUNCATE directorylog")
    for statement in statements:
        with (
            pytest.raises(sa.exc.DBAPIError, match="append-only"),
            get_db(app).engine.begin() as conn,
        ):
            conn.execute(sa.text(statement))
    assert "forged" not in actions(app) and len(actions(app)) >= 3


def test_published_consultants_whose_cards_turn_bad_are_flagged(app, people):
    cards(app, make_card("x", "janedoe"))
    sub_id = submitted(app, people["owner"])
    review(app, people["r1"], sub_id)
    review(app, people["r2"], sub_id)
    engine = get_db(app).engine
    assert evidence.flag_if_cards_turned_bad(engine, config=app.config) == []
    cards(app, make_card("x", "janedoe", risk="high"))
    assert evidence.flag_if_cards_turned_bad(engine, [("x", "other")], config=app.config) == []
    assert evidence.flag_if_cards_turned_bad(engine, [("x", "janedoe")], config=app.config) == [
        sub_id
    ]
    sub = load(app, sub_id)
    assert sub.status == "under_review" and sub.round == 2
    assert "high follower-purchase risk" in sub.flag_reason
    assert evidence.flag_if_cards_turned_bad(engine, config=app.config) == []


def test_admin_delists_with_a_reason_and_the_consultant_appeals(app, people):
    sub_id = submitted(app, people["owner"])
    review(app, people["r1"], sub_id)
    review(app, people["r2"], sub_id)
    with pytest.raises(workflow.NotAllowed), get_db(app).session() as session, session.begin():
        workflow.delist(
            session, people["r1"], sub_id, "I do not like them at all", config=app.config
        )
    with get_db(app).session() as session, session.begin():
        workflow.delist(
            session, people["admin"], sub_id, "Sells engagement pods to clients.", config=app.config
        )
    sub = load(app, sub_id)
    assert sub.status == "delisted" and sub.delist_reason == "Sells engagement pods to clients."
    with get_db(app).session() as session, session.begin():
        workflow.appeal(
            session, people["owner"], "I stopped in 2025; see my new case study.", config=app.config
        )
    sub = load(app, sub_id)
    assert sub.status == "under_review" and sub.round == 2 and sub.delist_reason is None
    assert actions(app, sub_id)[-2:] == ["delisted", "appealed"]
