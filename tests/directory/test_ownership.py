"""Ownership proofs: codes, the rules that need them, the audit that checks them, the
consultant's page and the demo."""

import re

import pytest
import sqlalchemy as sa

from genuine.db import get_db
from genuine.directory import ownership, rules, workflow
from genuine.directory.export import document
from genuine.models import Audit, DirectoryLog, Submission
from tests.directory.helpers import csrf, prove, review, submitted, user
from tests.web.test_auth import sign_in

MASTODON = {"platform": "mastodon", "handle": "jane@social.test"}
INSTAGRAM = {"platform": "instagram", "handle": "jane.shop"}


def owned(platform, handle, status, checked_at=None):
    return {
        "platform": platform,
        "handle": handle,
        "card": None,
        "ownership": {
            "status": status,
            "verified": status == "verified",
            "checked_at": checked_at,
        },
    }


def load(app, sub_id) -> Submission:
    with get_db(app).session() as session:
        return session.get(Submission, sub_id)


def test_codes_are_stable_and_depend_on_the_secret_submission_and_account():
    first = ownership.code("s3cret", 7, "x", "janedoe")
    assert re.fullmatch(r"genuine-verify-[0-9a-f]{10}", first)
    assert ownership.code("s3cret", 7, "x", "janedoe") == first
    others = {
        ownership.code("other", 7, "x", "janedoe"),
        ownership.code("s3cret", 8, "x", "janedoe"),
        ownership.code("s3cret", 7, "bluesky", "janedoe"),
        ownership.code("s3cret", 7, "x", "janedoe2"),
    }
    assert first not in others and len(others) == 4
    assert ownership.found(f"Consultant. {first.upper()} ", first)
    assert not ownership.found("Consultant.", first) and not ownership.found(None, first)


def test_rules_need_one_verified_account_and_overrides_for_the_others():
    verified = owned("mastodon", "a@b.c", "verified", "2026-11-20T10:00:00+00:00")
    missing = owned("bluesky", "a.bsky.social", "unverified", "2026-11-21T10:00:00+00:00")
    unchecked = owned("mastodon", "z@b.c", "unverified")
    imported = owned("instagram", "a.shop", "unverifiable")
    evidence = {"accounts": [verified, missing, unchecked, imported]}
    assert rules.has_verified_account(evidence)
    assert not rules.has_verified_account({"accounts": [missing, imported]})
    assert not rules.has_verified_account(None)
    gaps = rules.ownership_gaps(evidence)
    assert len(gaps) == 3
    assert "code was not in its bio on 2026-11-21" in gaps[0]
    assert "not verified yet" in gaps[1]
    assert "instagram:a.shop: ownership cannot be verified" in gaps[2]
    assert rules.override_needs(evidence) == gaps
    # Evidence attached before ownership checks existed counts as not verified.
    assert rules.ownership_gaps({"accounts": [{"platform": "x", "handle": "j", "card": None}]})

    s = {key: {"score": 4} for key in rules.CRITERIA}
    problems = rules.review_problems("approve", s, "", None, [], owned=False)
    assert problems == {"verdict": rules.NO_VERIFIED_ACCOUNT}
    assert rules.review_problems("reject", s, "Not yours.", None, [], owned=False) == {}
    approvals = [rules.Verdict(1, "approve", "seen"), rules.Verdict(2, "approve", "seen")]
    assert rules.outcome(approvals, [], owned=False) is None
    assert rules.outcome(approvals, [], owned=True) == "published"
    assert rules.outcome([approvals[0], rules.Verdict(2, "approve")], gaps) is None


@pytest.fixture
def reviewers(app):
    return user(app, "r1@example.org", "reviewer"), user(app, "r2@example.org", "reviewer")


def test_evidence_states_ownership_and_publishing_needs_a_verified_account(app, reviewers):
    r1, r2 = reviewers
    sub_id = submitted(
        app, user(app, "jane@example.org"), accounts=[MASTODON, INSTAGRAM], proven=False
    )
    states = [a["ownership"] for a in load(app, sub_id).evidence["accounts"]]
    assert states == [
        {"status": "unverified", "verified": False, "checked_at": None},
        {"status": "unverifiable", "verified": False, "checked_at": None},
    ]
    with pytest.raises(workflow.DirectoryError) as refused:
        review(app, r1, sub_id)
    assert refused.value.fields["verdict"] == rules.NO_VERIFIED_ACCOUNT
    assert prove(app, sub_id, "mastodon", "jane@social.test", shown=False) == [sub_id]
    with pytest.raises(workflow.DirectoryError):
        review(app, r1, sub_id)
    prove(app, sub_id, "mastodon", "jane@social.test")
    # The Instagram account cannot be checked: counting its badges needs an override.
    with pytest.raises(workflow.DirectoryError) as refused:
        review(app, r1, sub_id)
    assert (
        "instagram:jane.shop: ownership cannot be verified"
        in refused.value.fields["override_reason"]
    )
    review(app, r1, sub_id, override_reason="The shop's website links to this account.")
    _, result = review(app, r2, sub_id, override_reason="Confirmed with the client by mail.")
    assert result == "published"
    with get_db(app).session() as session:
        checks = (
            session.execute(
                sa.select(DirectoryLog.detail).where(DirectoryLog.action == "ownership_checked")
            )
            .scalars()
            .all()
        )
        listed = document(session, synthetic=False)["consultants"][0]["accounts"]
    assert [c["verified"] for c in checks] == [False, True]
    assert [a["ownership"]["status"] for a in listed] == ["verified", "unverifiable"]


def test_a_verified_result_carries_over_to_the_next_round(app, reviewers):
    owner = user(app, "jane@example.org")
    sub_id = submitted(app, owner, accounts=[MASTODON])
    review(app, reviewers[0], sub_id, "request_changes", comment="Add a second case study.")
    with app.app_context(), get_db(app).session() as session, session.begin():
        workflow.submit(session, owner, config=app.config)
    (account,) = load(app, sub_id).evidence["accounts"]
    assert account["ownership"]["verified"] is True
    assert review(app, reviewers[0], sub_id)[1] is None


def test_the_dashboard_shows_codes_and_check_now_queues_an_audit(app, client):
    owner = user(app, "jane@example.org")
    sub_id = submitted(app, owner, accounts=[MASTODON, INSTAGRAM], proven=False)
    sign_in(client, "jane@example.org")
    page = client.get("/me").get_data(as_text=True)
    secret = app.config["SECRET_KEY"]
    assert ownership.code(secret, sub_id, "mastodon", "jane@social.test") in page
    assert ownership.code(secret, sub_id, "instagram", "jane.shop") in page
    assert "Put each account's code in that account's bio" in page
    assert "ownership unverifiable" in page and page.count("Check now") == 1
    token = csrf(page)
    assert client.post("/me/accounts/0/check", data={}).status_code == 400  # no CSRF token
    assert client.post("/me/accounts/5/check", data={"csrf_token": token}).status_code == 404
    done = client.post("/me/accounts/0/check", data={"csrf_token": token}, follow_redirects=True)
    assert "Check of mastodon:jane@social.test queued" in done.get_data(as_text=True)
    refused = client.post(
        "/me/accounts/1/check", data={"csrf_token": token}, follow_redirects=True
    ).get_data(as_text=True)
    assert "instagram:jane.shop cannot be checked" in refused
    with get_db(app).engine.connect() as conn:
        audits = conn.execute(sa.select(Audit.platform, Audit.handle, Audit.origin)).all()
    assert audits == [("mastodon", "jane@social.test", "directory")]


def test_the_demo_publishes_consultants_through_the_same_check(app, runner):
    from genuine.cli import cli

    assert runner.invoke(cli, ["demo"]).exit_code == 0
    with get_db(app).session() as session:
        listed = document(session, synthetic=True)["consultants"]
        under_review = session.execute(
            sa.select(Submission).where(Submission.status == "under_review")
        ).scalar_one()
    assert [c["slug"] for c in listed] == ["bea-baker", "hal-help"]
    assert all(a["ownership"]["status"] == "verified" for c in listed for a in c["accounts"])
    assert rules.has_verified_account(under_review.evidence)
