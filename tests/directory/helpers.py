"""Builders for directory tests: people, complete profiles, submissions at a given stage."""

from __future__ import annotations

import re
from typing import Any

from genuine.cards.store import save_cards
from genuine.db import get_db
from genuine.directory import ownership, people, workflow
from genuine.directory.rules import CRITERIA
from genuine.models import User
from tests.api.conftest import make_card

PASSWORD = "correct horse battery staple"
XSS = '<script>window.__xss=1</script><img src=x onerror="window.__xss=1">"\'&'


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def user(app, email: str, role: str = "consultant", name: str | None = None) -> User:
    with get_db(app).session() as session, session.begin():
        return people.create_user(session, email, name or email.split("@")[0], PASSWORD, role)


def profile(**overrides: Any) -> dict[str, Any]:
    base = {
        "name": "Jane Doe",
        "headline": "Community management without shortcuts",
        "bio": "I help **small shops** talk with their neighbours.",
        "services": ["community management"],
        "regions": ["EU"],
        "languages": ["en"],
        "website": "https://jane.example",
        "accounts": [{"platform": "x", "handle": "janedoe"}],
        "case_studies": [{"title": "A bakery", "summary": "Replies doubled.", "url": None}],
        "references": [{"name": "Sam", "contact": "sam@example.org"}],
        "statements": {"no_bought_engagement": True, "discloses_partnerships": True},
    }
    return {**base, **overrides}


def cards(app, *made: dict) -> None:
    with get_db(app).engine.begin() as conn:
        save_cards(conn, made)


def scores(value: int = 4) -> dict:
    return {key: {"score": value, "comment": ""} for key in CRITERIA}


def submitted(app, owner: User, *, proven: bool = True, **overrides: Any) -> int:
    """A profile of `owner`, saved and submitted; returns the submission id. With `proven`,
    every listed account then shows its ownership code in a bio, as an audit would find it."""
    with get_db(app).session() as session, session.begin():
        sub = workflow.save_profile(session, owner, profile(**overrides))
    with app.app_context(), get_db(app).session() as session, session.begin():
        workflow.submit(session, owner, config=app.config)  # queues audits, as a page does
    if proven:
        for account in sub.profile["accounts"]:
            prove(app, sub.id, account["platform"], account["handle"])
    return sub.id


def prove(app, submission_id: int, platform: str, handle: str, shown: bool = True) -> list[int]:
    """Check (platform, handle)'s bio as an audit does: with its code in it, or without."""
    secret = app.config["SECRET_KEY"]
    bio = f"Hello {ownership.code(secret, submission_id, platform, handle) if shown else ''}"
    return ownership.check_fetched(get_db(app).engine, secret, platform, handle, bio)


def review(app, reviewer: User, submission_id: int, verdict: str = "approve", **kw: Any):
    kw.setdefault("comment", "Detailed feedback for you.")
    with get_db(app).session() as session, session.begin():
        return workflow.record_review(
            session,
            reviewer,
            submission_id,
            verdict=verdict,
            scores=scores(),
            config=app.config,
            **kw,
        )


__all__ = [
    "PASSWORD",
    "XSS",
    "cards",
    "csrf",
    "make_card",
    "profile",
    "prove",
    "review",
    "submitted",
]
