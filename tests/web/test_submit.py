"""The consultant's pages: drafts, validation messages, submission, and hostile input kept inert."""

import sqlalchemy as sa

from genuine import create_app
from genuine.db import get_db
from genuine.models import Submission
from tests.directory.helpers import XSS, cards, csrf, make_card, prove, review, user
from tests.web.test_auth import sign_in

FULL = {
    "name": "Jane Doe",
    "headline": "Community management",
    "bio": "I help **shops**.",
    "services": "community management, moderation",
    "regions": "EU, UK",
    "languages": "en, pt-BR",
    "website": "https://jane.example",
    "accounts-0-platform": "x",
    "accounts-0-handle": "@JaneDoe",
    "case_studies-0-title": "A bakery",
    "case_studies-0-summary": "Replies doubled.",
    "references-0-person": "Sam",
    "references-0-contact": "sam@example.org",
    "no_bought_engagement": "y",
    "discloses_partnerships": "y",
}


def post_profile(client, action="save", **fields):
    token = csrf(client.get("/me/profile").get_data(as_text=True))
    return client.post("/me/profile", data={"csrf_token": token, "action": action, **fields})


def stored(app) -> Submission | None:
    with get_db(app).session() as session:
        return session.execute(sa.select(Submission)).scalar_one_or_none()


def test_every_field_is_validated_with_a_message_and_the_input_kept(app, client):
    user(app, "jane@example.org")
    sign_in(client, "jane@example.org")
    bad = {
        **FULL,
        "name": "",
        "headline": "h" * 141,
        "services": ", ".join(f"s{i}" for i in range(11)),
        "languages": "english",
        "website": "javascript:alert(1)",
        "accounts-0-handle": "not a handle!",
        "accounts-1-handle": "orphan",
        "case_studies-0-summary": "",
        "references-0-contact": "",
    }
    page = post_profile(client, **bad)
    text = page.get_data(as_text=True)
    assert page.status_code == 400 and stored(app) is None
    for message in (
        "This field is required.",
        "Field cannot be longer than 140 characters.",
        "at most 10 items",
        "use language codes such as en, fr or pt-BR",
        "enter a web address starting with https://",
        "not a x handle: 1 to 15 letters, digits or underscores",
        "choose the platform",
        "a case study needs a title and a summary",
        "a reference needs a name and a way to reach them",
    ):
        assert message in text, message
    assert 'value="not a handle!"' in text and 'value="english"' in text


def test_a_draft_survives_a_server_restart(app, client, database_url, tmp_path):
    user(app, "jane@example.org")
    sign_in(client, "jane@example.org")
    draft = {
        "name": "Jane Draft",
        "headline": "half done",
        "accounts-0-platform": "x",
        "accounts-0-handle": "janedoe",
    }
    assert post_profile(client, **draft).status_code == 302
    fresh = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test",
            "INSTANCE_PATH": str(tmp_path / "again"),
        }
    )
    try:
        again = fresh.test_client()
        sign_in(again, "jane@example.org")
        page = again.get("/me/profile").get_data(as_text=True)
        assert 'value="Jane Draft"' in page and 'value="half done"' in page
        assert 'value="janedoe"' in page
        assert 'data-status="draft"' in again.get("/me").get_data(as_text=True)
    finally:
        get_db(fresh).engine.dispose()


def test_submitting_an_incomplete_profile_saves_it_and_says_what_is_missing(app, client):
    user(app, "jane@example.org")
    sign_in(client, "jane@example.org")
    page = post_profile(client, "submit", name="Jane")
    text = page.get_data(as_text=True)
    assert page.status_code == 400 and stored(app).status == "draft"
    assert "list at least one social account before submitting" in text
    assert "sign this statement before submitting" in text


def test_submit_edit_while_under_review_and_withdraw(app, client):
    cards(app, make_card("x", "janedoe"))
    user(app, "jane@example.org")
    sign_in(client, "jane@example.org")
    assert post_profile(client, "submit", **FULL).status_code == 302
    sub = stored(app)
    assert sub.status == "under_review" and sub.profile["accounts"] == [
        {"platform": "x", "handle": "janedoe"}
    ]
    assert sub.profile["languages"] == ["en", "pt-BR"]
    assert client.get("/me/profile").status_code == 302  # under review: not editable
    dashboard = client.get("/me").get_data(as_text=True)
    assert "Low risk" in dashboard and "Withdraw" in dashboard
    client.post("/me/withdraw", data={"csrf_token": csrf(dashboard)})
    assert stored(app).status == "withdrawn"
    assert client.get("/me/profile").status_code == 200


def test_hostile_strings_in_every_field_are_inert_on_every_page(app, client):
    user(app, "jane@example.org", name=XSS)
    r1, r2 = user(app, "r1@example.org", "reviewer"), user(app, "r2@example.org", "reviewer")
    user(app, "admin@example.org", "admin")
    sign_in(client, "jane@example.org")
    short = "<img src=x onerror=alert(1)>"  # list items are at most 60 characters
    hostile = {"name": XSS, "headline": XSS, "services": short, "regions": short}
    hostile.update(
        {
            "case_studies-0-title": XSS,
            "case_studies-0-summary": XSS,
            "references-0-person": XSS,
            "references-0-contact": XSS,
            "bio": XSS + "\n\n[click](javascript:alert(1)) <a href='javascript:alert(1)'>x</a>",
        }
    )
    assert post_profile(client, "submit", **{**FULL, **hostile}).status_code == 302
    sub = stored(app)
    assert "<script" not in sub.bio_html and 'href="javascript' not in sub.bio_html
    prove(app, sub.id, "x", "janedoe")
    review(app, r1, sub.id, "approve", comment=XSS)
    review(app, r2, sub.id, "approve", comment=XSS)
    pages = [client.get("/me"), client.get("/me/profile")]
    for who in ("r1@example.org", "admin@example.org"):
        client.post("/signout", data={"csrf_token": csrf(client.get("/me").get_data(True))})
        sign_in(client, who)
        pages += [client.get("/review"), client.get(f"/review/{sub.id}")]
    pages.append(client.get("/admin/outbox"))
    for response in pages:
        text = response.get_data(as_text=True)
        assert response.status_code == 200, response.request.path
        assert "<script>window.__xss" not in text, response.request.path
        assert "<img src=x" not in text and 'href="javascript:' not in text
        assert "<a href='javascript:" not in text
    api = client.get("/api/v1/consultants").get_json()["consultants"][0]
    assert api["name"] == XSS and "<script" not in api["bio_html"]
