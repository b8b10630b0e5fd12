"""GET /api/v1/accounts/<platform>/<handle>/report: the evidence behind a card."""

import pytest

from genuine.cards.score import score_store
from genuine.db import get_db
from genuine.demo import NOW
from genuine.demo import load as load_world


@pytest.fixture
def demo(app):
    engine = get_db(app).engine
    load_world(engine)
    score_store(engine, public_url="http://127.0.0.1:5000", now=NOW)


def test_report_json_has_card_evidence_and_disputes(client, demo):
    report = client.get("/api/v1/accounts/x/demo_vipbrand/report").json
    assert report["card"]["handle"] == "demo_vipbrand"
    assert {r["answered"] for r in report["evidence"]["replies"]} == {True, False}
    assert report["disputes"] == []
    missing = client.get("/api/v1/accounts/x/nobody/report")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"


def test_report_dispute_dates_are_iso_8601(client, demo):
    from datetime import datetime

    account = {"platform": "x", "handle": "demo_vipbrand"}
    sent = {"account": account, "badge": "reply_rate", "reason": "We answer within the hour."}
    sent["contact"] = "social@example.com"
    assert client.post("/api/v1/disputes", json=sent).status_code == 201
    (dispute,) = client.get("/api/v1/accounts/x/demo_vipbrand/report").json["disputes"]
    assert datetime.fromisoformat(dispute["created_at"]).utcoffset() is not None
