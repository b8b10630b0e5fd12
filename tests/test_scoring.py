"""Scoring the store: every account with a profile gets a whole card and a report."""

from datetime import UTC, datetime

import sqlalchemy as sa

from genuine.cards.score import score_store
from genuine.db import get_db
from genuine.demo import NOW, SHOWCASE
from genuine.demo import load as load_world
from genuine.formats import read
from genuine.importing import import_records
from genuine.models import AccountReport, BadgeCard
from tests.helpers import write_csv


def demo_store(app, tmp_path):
    engine = get_db(app).engine
    load_world(engine)
    return score_store(engine, public_url="https://genuine.example", now=NOW)


def cards(app) -> dict[str, dict]:
    with get_db(app).engine.connect() as conn:
        rows = conn.execute(sa.select(BadgeCard.platform, BadgeCard.handle, BadgeCard.card))
        return {f"{p}:{h}": c for p, h, c in rows}


def levels(card: dict) -> tuple[str, str, str]:
    b = card["badges"]
    return (
        b["follower_purchase_risk"]["level"],
        b["reply_rate"]["level"],
        b["follow_back_ring"]["level"],
    )


def test_demo_world_gets_the_verdicts_it_was_built_to_show(app, tmp_path):
    done = demo_store(app, tmp_path)
    made = cards(app)
    assert sum(done.values()) == len(made)
    assert levels(made["x:demo_bakery"])[0] == "low"
    assert levels(made["x:demo_influencer"])[0] == "high"
    influencer = made["x:demo_influencer"]["badges"]["follower_purchase_risk"]
    assert any(r["code"] == "follower_jump" for r in influencer["reasons"])
    assert levels(made["bluesky:ring01.demo.bsky.social"])[2] == "member"
    assert levels(made["mastodon:ada@lab.demo.social"])[2] == "not_member"
    assert levels(made["x:demo_helpdesk"])[1] == "responsive"
    vip = made["x:demo_vipbrand"]["badges"]["reply_rate"]
    assert vip["level"] == "unresponsive" and vip["equity"]["status"] == "favours_big"
    assert levels(made["mastodon:newcomer@demo.social"])[:2] == ("unknown", "unknown")
    for key in SHOWCASE:
        card = made[key]
        assert card["report_url"] == f"https://genuine.example/report/{key.replace(':', '/')}"
        assert card["computed_at"] == NOW.isoformat()
        for badge in card["badges"].values():
            assert badge["reasons"], f"{key}: a badge without reasons"


def test_every_unknown_says_why(app, tmp_path):
    demo_store(app, tmp_path)
    for key, card in cards(app).items():
        for name, badge in card["badges"].items():
            if badge["level"] == "unknown":
                assert badge["reasons"], f"{key} {name} is unknown without a reason"


def test_reports_hold_the_evidence(app, tmp_path):
    demo_store(app, tmp_path)
    with get_db(app).engine.connect() as conn:
        rows = conn.execute(sa.select(AccountReport.handle, AccountReport.evidence)).all()
    evidence = dict(rows)
    influencer = evidence["demo_influencer"]
    assert len(influencer["follower_probabilities"]) == 2000
    assert influencer["jumps"] and influencer["jumps"][0]["change"] > 1000
    assert len(influencer["snapshots"]) == 61
    ring = evidence["ring01.demo.bsky.social"]["ring"]
    assert ring["density"] == 1.0 and len(ring["members"]) == 16
    replies = evidence["demo_vipbrand"]["replies"]
    assert {r["answered"] for r in replies} == {True, False}


def test_rescoring_replaces_cards_and_reports(app, tmp_path):
    demo_store(app, tmp_path)
    before = cards(app)
    score_store(get_db(app).engine, public_url="https://genuine.example", now=NOW)
    assert cards(app) == before


def test_accounts_without_followers_or_posts_are_unknown_with_reasons(app, tmp_path):
    write_csv(
        tmp_path / "accounts.csv", ["platform", "handle", "followers_count"], [["x", "lonely", "3"]]
    )
    engine = get_db(app).engine
    import_records(engine, read(tmp_path))
    score_store(engine, public_url="http://h", now=datetime(2026, 1, 1, tzinfo=UTC))
    card = cards(app)["x:lonely"]
    assert levels(card) == ("unknown", "unknown", "unknown")
    codes = [r["code"] for badge in card["badges"].values() for r in badge["reasons"]]
    assert {"sample_too_small", "no_questions", "thin_follow_data"} <= set(codes)
