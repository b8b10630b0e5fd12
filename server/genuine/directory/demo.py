"""The directory part of the demo: consultants at every stage, with reviewers and reviews.

Synthetic, like the rest of the demo: the consultants "own" demo accounts that have cards
(call this after the demo world is scored). Consultants whose profile gets reviewed put their
ownership code in their demo account's bio, and the check runs as after an audit
(genuine.directory.ownership.record). Every demo person signs in with DEMO_PASSWORD, which
`genuine demo` prints. Loading twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from genuine.directory import ownership, people, workflow
from genuine.directory.rules import CRITERIA
from genuine.models import Account, User

DEMO_PASSWORD = "genuine-demo-password"
ADMIN = ("admin@demo.example", "Ada Admin", "admin")
REVIEWERS = [
    ("rita@demo.example", "Rita Reviewer", "reviewer"),
    ("ravi@demo.example", "Ravi Reviewer", "reviewer"),
    ("rosa@demo.example", "Rosa Reviewer", "reviewer"),
]
# email, name, account, what happens, headline
CONSULTANTS = [
    (
        "bakery@demo.example",
        "Bea Baker",
        "x:demo_bakery",
        "published",
        "Social media for neighbourhood shops",
    ),
    (
        "helpdesk@demo.example",
        "Hal Help",
        "x:demo_helpdesk",
        "published",
        "Customer care that answers everyone",
    ),
    (
        "lab@demo.example",
        "Lena Lab",
        "mastodon:ada@lab.demo.social",
        "under_review",
        "Science communication on the fediverse",
    ),
    (
        "ring@demo.example",
        "Rory Ring",
        "bluesky:ring01.demo.bsky.social",
        "changes_requested",
        "Fast growth on Bluesky",
    ),
    (
        "influencer@demo.example",
        "Ivy Influence",
        "x:demo_influencer",
        "rejected",
        "Get famous in 30 days",
    ),
    ("vip@demo.example", "Victor VIP", "x:demo_vipbrand", "delisted", "Premium brand presence"),
    (
        "newcomer@demo.example",
        "Nina New",
        "mastodon:newcomer@demo.social",
        "draft",
        "Just starting out",
    ),
]


def _scores(score: int, comment: str = "") -> dict:
    return {key: {"score": score, "comment": comment} for key in CRITERIA}


def _profile(name: str, account: str, headline: str) -> dict:
    platform, handle = account.split(":", 1)
    return {
        "name": name,
        "headline": headline,
        "bio": f"{name} is a **synthetic** consultant made up by Genuine's demo.\n\n"
        "- honest growth\n- real conversations",
        "services": ["community management", "content strategy"],
        "regions": ["EU"],
        "languages": ["en"],
        "website": None,
        "accounts": [{"platform": platform, "handle": handle}],
        "case_studies": [
            {"title": "A year of real replies", "summary": "Answered every question.", "url": None}
        ],
        "references": [{"name": "A. Client", "contact": "client@demo.example"}],
        "statements": {"no_bought_engagement": True, "discloses_partnerships": True},
    }


# Stages whose consultant proved they own their account (a profile is approved only then).
PROVEN = {"published", "delisted", "under_review"}


def load(engine: sa.Engine, config: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """Create the demo people and walk each profile to its stage; (email, role, stage) rows.
    The SECRET_KEY of `config` derives the ownership codes."""
    with Session(engine, expire_on_commit=False) as session:
        exists = people.by_email(session, ADMIN[0]) is not None
        session.rollback()  # end the read before the writes begin their own transactions
        if not exists:
            _create(session, config)
    rows = [(ADMIN[0], "admin", "")] + [(e, r, "") for e, _, r in REVIEWERS]
    return rows + [(email, "consultant", stage) for email, _, _, stage, _ in CONSULTANTS]


def _person(session: Session, email: str, name: str, role: str) -> User:
    with session.begin():
        return people.create_user(session, email, name, DEMO_PASSWORD, role)


def _prove(session: Session, secret: str, sub_id: int, account: str) -> None:
    """The demo consultant puts their code in their account's bio; the check reads it back."""
    platform, handle = account.split(":", 1)
    bio = f"Synthetic demo account. {ownership.code(secret, sub_id, platform, handle)}"
    session.execute(
        sa.update(Account)
        .where(Account.platform == platform, Account.handle == handle)
        .values(bio=bio)
    )
    ownership.record(session, secret, platform, handle, bio)


def _create(session: Session, config: Mapping[str, Any]) -> None:
    secret = config["SECRET_KEY"]
    admin = _person(session, *ADMIN)
    rita, ravi, rosa = (_person(session, *r) for r in REVIEWERS)

    def review(user, sub_id, verdict, score, comment="", override=None):
        with session.begin():
            workflow.record_review(
                session,
                user,
                sub_id,
                verdict=verdict,
                scores=_scores(score, comment),
                comment=comment,
                override_reason=override,
                config=config,
            )

    for email, name, account, stage, headline in CONSULTANTS:
        user = _person(session, email, name, "consultant")
        with session.begin():
            sub = workflow.save_profile(session, user, _profile(name, account, headline))
        if stage == "draft":
            continue
        with session.begin():
            workflow.submit(session, user, config=config)
        if stage in PROVEN:
            with session.begin():
                _prove(session, secret, sub.id, account)
        if stage in ("published", "delisted"):
            review(rita, sub.id, "approve", 5, "Audience and replies look genuine.")
            review(ravi, sub.id, "approve", 4, "Solid case study.")
        elif stage == "under_review":
            review(rosa, sub.id, "approve", 4, "Good; waiting for a second reviewer.")
        elif stage == "changes_requested":
            review(
                rita,
                sub.id,
                "request_changes",
                2,
                "Your own account is in a follow-back ring: explain or leave the ring.",
            )
        elif stage == "rejected":
            review(ravi, sub.id, "reject", 1, "Most of this audience looks bought.")
            review(rosa, sub.id, "reject", 1, "The follower jumps match purchased batches.")
        if stage == "delisted":
            with session.begin():
                workflow.delist(
                    session,
                    admin,
                    sub.id,
                    "Answers only accounts with large followings: not what we list.",
                    config=config,
                )


def describe(engine: sa.Engine, base_url: str, config: Mapping[str, Any]) -> str:
    """Load the demo directory and say how to look at it, for `genuine demo`."""
    rows = load(engine, config)
    lines = [
        f"Directory demo: sign in at {base_url}/signin with password {DEMO_PASSWORD!r} as",
        *(f"  {email:<26} {role:<10} {stage.replace('_', ' ')}" for email, role, stage in rows),
        f"  {base_url}/review   the review queue (as a reviewer)",
        f"  {base_url}/api/v1/consultants   the published directory as JSON",
    ]
    return "\n".join(lines)
