"""An account's report: its card, the evidence behind it, open disputes, and cached charts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from genuine import charts as draw
from genuine.models import AccountReport, BadgeCard, Dispute, lookup_key


@dataclass
class Report:
    card: dict[str, Any]
    etag: str
    evidence: dict[str, Any]
    disputes: list[Dispute]


def load(conn: sa.Connection, platform: str, handle: str) -> Report | None:
    key = lookup_key(platform, handle)
    row = conn.execute(
        sa.select(BadgeCard.card, BadgeCard.etag, AccountReport.evidence)
        .select_from(BadgeCard)
        .outerjoin(AccountReport, AccountReport.lookup_key == BadgeCard.lookup_key)
        .where(BadgeCard.lookup_key == key)
    ).first()
    if row is None:
        return None
    with Session(conn) as session:
        disputes = session.scalars(
            sa.select(Dispute)
            .where(Dispute.platform == platform, Dispute.handle == handle, Dispute.status == "open")
            .order_by(Dispute.id)
        ).all()
    return Report(row.card, row.etag, row.evidence or {}, list(disputes))


def charts(engine: sa.Engine, platform: str, handle: str, report: Report) -> dict[str, Any]:
    """The report's charts, drawn once per card version and kept with the report."""
    key = lookup_key(platform, handle)
    with engine.connect() as conn:
        cached = conn.execute(
            sa.select(AccountReport.charts, AccountReport.charts_etag).where(
                AccountReport.lookup_key == key
            )
        ).first()
    if cached and cached.charts is not None and cached.charts_etag == report.etag:
        return cached.charts
    drawn = draw.draw_all(report.evidence, handle)
    with engine.begin() as conn:
        conn.execute(
            sa.update(AccountReport)
            .where(AccountReport.lookup_key == key)
            .values(charts=drawn, charts_etag=report.etag)
        )
    return drawn


def dispute(
    session: Session, platform: str, handle: str, badge: str | None, reason: str, contact: str
) -> Dispute:
    """Record a dispute of a badge (the web form, the API, a labeler appeal); the report
    shows it until an admin resolves it. Runs in the caller's transaction."""
    row = Dispute(
        platform=platform,
        handle=handle,
        badge=badge or None,
        reason=reason.strip(),
        contact=contact.strip(),
        created_at=datetime.now(UTC),
    )
    session.add(row)
    return row
