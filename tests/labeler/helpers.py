"""Cards, accounts and a labeler for the labeler tests."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from genuine.cards.store import save_cards
from genuine.labeler.emit import Labeler
from genuine.labeler.sign import generate_key
from genuine.models import Account, Dispute

SRC = "did:plc:genuinetestlabeler"
KEY = generate_key()
T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def labeler(**kw) -> Labeler:
    return Labeler(SRC, KEY, **kw)


def card(
    handle, purchase="unknown", ring="unknown", reply="unknown", equity=None, platform="bluesky"
):
    return {
        "platform": platform,
        "handle": handle,
        "computed_at": "2026-12-01T12:00:00+00:00",
        "model_version": "test",
        "badges": {
            "follower_purchase_risk": {"level": purchase},
            "follow_back_ring": {"level": ring},
            "reply_rate": {"level": reply, "equity": {"status": equity} if equity else None},
        },
    }


def put(conn: sa.Connection, *cards, did: bool = True) -> None:
    save_cards(conn, cards)
    for c in cards:
        exists = conn.execute(
            sa.select(Account.__table__.c.id).where(
                Account.__table__.c.platform == c["platform"],
                Account.__table__.c.handle == c["handle"],
            )
        ).first()
        if not exists:
            extra = {"did": f"did:plc:{c['handle'].split('.')[0]}"} if did else {}
            conn.execute(
                Account.__table__.insert().values(
                    platform=c["platform"], handle=c["handle"], extra=extra
                )
            )


def dispute(conn: sa.Connection, handle: str, badge: str | None) -> int:
    return conn.execute(
        Dispute.__table__.insert().values(
            platform="bluesky",
            handle=handle,
            badge=badge,
            reason="not me",
            contact="a@example.org",
            status="open",
            created_at=T0,
        )
    ).inserted_primary_key[0]
