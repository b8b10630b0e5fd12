"""Reviewer pages: who may open the queue, the rubric form, refusals and publication."""

import sqlalchemy as sa

from genuine.db import get_db
from genuine.directory.rules import CRITERIA
from genuine.models import Review, Submission
from tests.directory.helpers import cards, csrf, make_card, submitted, user
from tests.web.test_auth import sign_in


def rubric(token, verdict="approve", **extra):
    data = {"csrf_token": token, "verdict": verdict, "comment": "Looks genuine to me."}
    for key in CRITERIA:
        data[f"score_{key}"], data[f"comment_{key}"] = "4", "fine"
    return {**data, **extra}


def status(app, sub_id):
    with get_db(app).session() as session:
        return session.get(Submission, sub_id).status


def test_consultants_and_strangers_cannot_open_the_queue(app, client):
    owner = user(app, "jane@example.org")
    sub_id = submitted(app, owner)
    assert client.get("/review").status_code == 302  # to sign-in
    sign_in(client, "jane@example.org")
    assert client.get("/review").status_code == 403
    assert client.get(f"/review/{sub_id}").status_code == 403
    token = csrf(client.get("/me").get_data(as_text=True))
    assert client.post(f"/review/{sub_id}", data=rubric(token)).status_code == 403


def test_a_reviewer_cannot_approve_their_own_submission(app, client):
    me = user(app, "rev@example.org", "reviewer")
    sub_id = submitted(app, me)
    sign_in(client, "rev@example.org")
    page = client.get(f"/review/{sub_id}").get_data(as_text=True)
    assert "you cannot review your own submission" in page and "Record my review" not in page
    token = csrf(page)
    refused = client.post(f"/review/{sub_id}", data=rubric(token))
    assert refused.status_code == 403
    with get_db(app).session() as session:
        assert session.execute(sa.select(sa.func.count()).select_from(Review)).scalar() == 0


def test_two_reviewers_publish_through_the_rubric_form(app, client):
    sub_id = submitted(app, user(app, "jane@example.org"))
    user(app, "r1@example.org", "reviewer")
    user(app, "r2@example.org", "reviewer")
    for who in ("r1@example.org", "r2@example.org"):
        sign_in(client, who)
        page = client.get(f"/review/{sub_id}").get_data(as_text=True)
        assert client.post(f"/review/{sub_id}", data={"verdict": "approve"}).status_code == 400
        missing = client.post(f"/review/{sub_id}", data={"csrf_token": csrf(page), "verdict": "x"})
        assert missing.status_code == 400 and "Not a valid choice" in missing.get_data(True)
        done = client.post(f"/review/{sub_id}", data=rubric(csrf(page)))
        assert done.status_code == 302
        client.post("/signout", data={"csrf_token": csrf(page)})
    assert status(app, sub_id) == "published"
    names = [c["name"] for c in client.get("/api/v1/consultants").get_json()["consultants"]]
    assert names == ["Jane Doe"]


def test_scores_and_overrides_are_required_with_messages(app, client):
    cards(app, make_card("x", "janedoe", risk="high"))
    sub_id = submitted(app, user(app, "jane@example.org"))
    user(app, "r1@example.org", "reviewer")
    sign_in(client, "r1@example.org")
    page = client.get(f"/review/{sub_id}").get_data(as_text=True)
    assert "x:janedoe has a high follower-purchase risk" in page
    no_scores = {"csrf_token": csrf(page), "verdict": "approve"}
    text = client.post(f"/review/{sub_id}", data=no_scores).get_data(as_text=True)
    assert "score authentic audience from 1 to 5" in text
    text = client.post(f"/review/{sub_id}", data=rubric(csrf(page))).get_data(as_text=True)
    assert "approving needs an override with a written reason" in text
    ok = client.post(f"/review/{sub_id}", data=rubric(csrf(page), override_reason="Explained."))
    assert ok.status_code == 302


def test_conflicts_and_delisting(app, client):
    owner = user(app, "jane@example.org")
    sub_id = submitted(app, owner)
    user(app, "r1@example.org", "reviewer")
    user(app, "boss@example.org", "admin")
    sign_in(client, "r1@example.org")
    page = client.get(f"/review/{sub_id}").get_data(as_text=True)
    client.post(f"/review/{sub_id}/conflict", data={"csrf_token": csrf(page), "reason": "friend"})
    assert "declared a conflict" in client.get(f"/review/{sub_id}").get_data(as_text=True)
    assert (
        client.post(f"/review/{sub_id}/delist", data={"csrf_token": csrf(page)}).status_code == 403
    )
    client.post("/signout", data={"csrf_token": csrf(page)})
    sign_in(client, "boss@example.org")
    page = client.get(f"/review/{sub_id}").get_data(as_text=True)
    reason = {"csrf_token": csrf(page), "reason": "Runs an engagement pod."}
    assert client.post(f"/review/{sub_id}/delist", data=reason).status_code == 302
    assert status(app, sub_id) == "delisted"


def test_reviewers_cannot_open_a_draft(app, client):
    from genuine.directory import workflow
    from tests.directory.helpers import profile

    owner = user(app, "jane@example.org")
    with get_db(app).session() as session, session.begin():
        sub_id = workflow.save_profile(session, owner, profile(bio="Not ready yet")).id
    user(app, "rev@example.org", "reviewer")
    sign_in(client, "rev@example.org")
    assert client.get(f"/review/{sub_id}").status_code == 404
    assert client.get("/review/999999").status_code == 404


def test_a_withdrawn_draft_that_was_never_submitted_stays_private(app, client):
    from genuine.directory import workflow
    from tests.directory.helpers import profile

    owner = user(app, "jane@example.org")
    with get_db(app).session() as session, session.begin():
        sub_id = workflow.save_profile(session, owner, profile(bio="Not ready yet")).id
    with get_db(app).session() as session, session.begin():
        workflow.withdraw(session, owner)
    assert status(app, sub_id) != "draft"
    user(app, "rev@example.org", "reviewer")
    sign_in(client, "rev@example.org")
    assert client.get(f"/review/{sub_id}").status_code == 404
    assert "sam@example.org" not in client.get("/review").get_data(as_text=True)


def test_reviewers_see_the_profile_as_submitted_not_later_edits(app, client):
    from genuine.directory import workflow
    from tests.directory.helpers import profile, review

    owner = user(app, "jane@example.org")
    sub_id = submitted(app, owner, bio="As submitted", references=[{"name": "Sam", "contact": "s"}])
    r1 = user(app, "r1@example.org", "reviewer")
    review(app, r1, sub_id, "request_changes", comment="Add a second case study.")
    assert status(app, sub_id) == "changes_requested"
    later = profile(bio="Edited afterwards", references=[{"name": "Kim", "contact": "k@x.org"}])
    with get_db(app).session() as session, session.begin():
        workflow.save_profile(session, owner, later)
    user(app, "r2@example.org", "reviewer")
    sign_in(client, "r2@example.org")
    page = client.get(f"/review/{sub_id}").get_data(as_text=True)
    assert "As submitted" in page and "Edited afterwards" not in page and "k@x.org" not in page
    with get_db(app).session() as session, session.begin():
        workflow.submit(session, owner, config=app.config)
    page = client.get(f"/review/{sub_id}").get_data(as_text=True)
    assert "Edited afterwards" in page and "As submitted" not in page
