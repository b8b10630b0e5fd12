"""GET /api/v1/consultants: published profiles only, in the export contract's shape."""

from datetime import UTC, datetime

from genuine.db import get_db
from genuine.directory import workflow
from tests.directory.helpers import cards, make_card, review, submitted, user


def test_only_published_profiles_in_the_contract_shape(app, client):
    cards(app, make_card("x", "janedoe"))
    r1, r2 = user(app, "r1@example.org", "reviewer"), user(app, "r2@example.org", "reviewer")
    published = submitted(app, user(app, "jane@example.org"))
    # Also lists x:janedoe, but its code is not in the bio: it stays under review.
    submitted(app, user(app, "other@example.org"), name="Under Review", proven=False)
    with get_db(app).session() as session, session.begin():
        workflow.save_profile(session, user(app, "d@example.org"), {"name": "Draft Only"})
    assert client.get("/api/v1/consultants").get_json()["consultants"] == []
    review(app, r1, published)
    review(app, r2, published)
    body = client.get("/api/v1/consultants").get_json()
    assert set(body) == {"generated_at", "synthetic", "consultants"} and body["synthetic"] is False
    (jane,) = body["consultants"]
    assert set(jane) == {
        "slug",
        "name",
        "headline",
        "bio_html",
        "services",
        "regions",
        "languages",
        "website",
        "accounts",
        "case_studies",
        "review",
        "last_audit",
        "published_at",
    }
    assert jane["slug"] == "jane-doe" and jane["bio_html"].startswith("<p>I help <strong>")
    assert jane["accounts"][0]["card"]["badges"]["follower_purchase_risk"]["level"] == "low"
    owned = jane["accounts"][0]["ownership"]
    assert owned["status"] == "verified" and owned["verified"] is True
    assert owned["checked_at"].startswith(str(datetime.now(UTC).year))
    assert jane["case_studies"] == [
        {"title": "A bakery", "summary": "Replies doubled.", "url": None}
    ]
    assert jane["review"]["reviewers"] == 2 and jane["review"]["summary"].startswith(
        "Approved by 2"
    )
    assert jane["last_audit"].startswith("2026-11-23") and jane["published_at"]
    assert "references" not in jane and "statements" not in jane


def test_the_endpoint_is_documented(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/consultants" in document["paths"]
