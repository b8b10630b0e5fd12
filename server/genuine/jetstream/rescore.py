"""Cards for the Bluesky accounts the Jetstream ingester touched (issue 13).

The ingester marks every account an event touches dirty (`BlueskyActor.dirty_at`). Workers
turn dirty accounts into cards, in batches, at most once per account per `RESCORE_AFTER`:

1. `claim(engine, now, after, limit)` picks the active dirty accounts not scored (nor
   claimed) within `after` and stamps `scored_at = now` on them: the stamp is the claim. A
   worker that dies leaves them dirty, so they are claimed again once `after` has passed.
2. `rescore(engine, config, dids)` asks the AppView for what the stream lacks
   (genuine.jetstream.appview: handles, follower counts), scores the accounts with the same
   signals as every card (genuine.cards.score, over the accounts' neighbourhood in the
   store), and writes each card under the account's handle (what the extension and the API
   look up; the store keys the account by DID). In the same transaction the accounts are
   marked clean, unless an event touched them again meanwhile.

An account without a handle (the AppView did not know one, or it is `handle.invalid`) gets
no card, since nobody could look it up, and stays dirty: it is tried again after `after`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from genuine.cards.build import report_url
from genuine.cards.load import load
from genuine.cards.score import Scored, save_reports, score
from genuine.cards.store import save_cards
from genuine.db import in_transaction
from genuine.jetstream import appview
from genuine.jetstream.batch import PLATFORM, chunks, set_handles, withdraw
from genuine.models import BlueskyActor
from genuine.sources.bluesky import BlueskySource

log = logging.getLogger("genuine.jetstream.rescore")
_actors = BlueskyActor.__table__


@dataclass
class Rescored:
    carded: int = 0  # cards written
    no_handle: int = 0  # left dirty: no handle to card them under
    gone: int = 0  # deactivated or re-claimed meanwhile: nothing written
    profiles: int = 0  # profiles fetched from the AppView


def claim(engine: sa.Engine, now: datetime, after: timedelta, limit: int) -> list[str]:
    """Claim up to `limit` dirty accounts due for a card (oldest dirt first)."""
    due = sa.or_(_actors.c.scored_at.is_(None), _actors.c.scored_at <= now - after)
    query = (
        sa.select(_actors.c.did)
        .where(_actors.c.dirty_at.is_not(None), _actors.c.active.is_(True), due)
        .order_by(_actors.c.dirty_at, _actors.c.did)
        .limit(limit)
    )

    def work(conn: sa.Connection) -> list[str]:
        claimed = []
        for chunk in chunks(sorted(conn.execute(query).scalars())):
            # Lock in DID order, as the ingester does; rows another claim holds are its own.
            locked = _lock(conn, chunk, skip_locked=True)
            conn.execute(_actors.update().where(_actors.c.did.in_(locked)).values(scored_at=now))
            claimed += locked
        return claimed

    return in_transaction(engine, work)


def _lock(conn: sa.Connection, dids: list[str], skip_locked: bool = False) -> list[str]:
    """Lock the actor rows of `dids` in DID order on PostgreSQL (SQLite has one writer)."""
    if conn.dialect.name != "postgresql":
        return dids
    query = (
        sa.select(_actors.c.did)
        .where(_actors.c.did.in_(dids))
        .order_by(_actors.c.did)
        .with_for_update(skip_locked=skip_locked)
    )
    return list(conn.execute(query).scalars())


def _actor_rows(conn: sa.Connection, dids: list[str]) -> dict[str, Any]:
    return {row.did: row for row in conn.execute(sa.select(_actors).where(_actors.c.did.in_(dids)))}


def _under_handle(scored: Scored, row: Any, public_url: str) -> Scored:
    """The card keyed by the actor's handle; its ring badge from the last whole-graph ring
    run when there was one (genuine.jetstream.rings), since the neighbourhood scored here
    is only part of the graph a ring lives in."""
    card = {
        **scored.card,
        "handle": row.handle,
        "report_url": report_url(public_url, PLATFORM, row.handle),
    }
    evidence = scored.evidence
    if row.ring is not None:  # {"badge": the section, "evidence": the ring's members or None}
        card["badges"] = {**card["badges"], "follow_back_ring": row.ring["badge"]}
        evidence = {**evidence, "ring": row.ring["evidence"]}
    return Scored(card, evidence)


def rescore(
    engine: sa.Engine,
    config: Mapping[str, Any],
    dids: list[str],
    *,
    now: datetime | None = None,
    source: BlueskySource | None = None,
) -> Rescored:
    """Card the claimed accounts `dids`; `source` None asks the AppView nothing."""
    now = now or datetime.now(UTC)
    out = Rescored()
    if not dids:
        return out
    public_url = config["PUBLIC_URL"]
    with engine.connect() as conn:
        actors = _actor_rows(conn, dids)
        wanted = {did for did, row in actors.items() if row.active}
        lookups = {did for did in wanted if not actors[did].handle}
        if source is not None:
            limit = int(config.get("RESCORE_PROFILES", 200))
            lookups |= appview.uncounted_followers(conn, wanted, limit)
    views = appview.fetch(source, lookups) if source is not None and lookups else {}
    out.profiles = len(views)
    if views:
        named = appview.handles(views)
        unnamed = sorted(
            (i for i in named if i.did in wanted and not actors[i.did].handle),
            key=lambda i: i.did,
        )

        def name(conn: sa.Connection) -> None:
            appview.save(conn, source, views)
            withdraw(conn, set_handles(conn, unnamed))

        in_transaction(engine, name)
    with engine.connect() as reader:
        data = load(reader, PLATFORM, sorted(wanted))
    scored = {s.card["handle"]: s for s in score(data, now, public_url=public_url, only=wanted)}

    def write(conn: sa.Connection) -> Rescored:
        done = Rescored(profiles=out.profiles, gone=out.gone)
        _lock(conn, sorted(wanted))
        current = _actor_rows(conn, sorted(wanted))
        cards, clean = [], []
        for did in sorted(wanted):
            row = current.get(did)
            if row is None or not row.active or row.scored_at != actors[did].scored_at:
                done.gone += 1  # deactivated, or claimed again by a later run: theirs to write
            elif not row.handle or did not in scored:
                done.no_handle += 1
            else:
                cards.append(_under_handle(scored[did], row, public_url))
                clean.append(did)
        save_cards(conn, (s.card for s in cards))
        save_reports(conn, cards)
        for chunk in chunks(clean):
            conn.execute(
                _actors.update()
                .where(
                    _actors.c.did.in_(chunk),
                    _actors.c.dirty_at <= _actors.c.scored_at,  # no event since the claim
                )
                .values(dirty_at=None)
            )
        done.carded = len(cards)
        return done

    out = in_transaction(engine, write)
    out.gone += len(dids) - len(wanted)
    log.info(
        "rescored %d accounts: %d carded, %d without a handle, %d gone, %d profiles fetched",
        len(dids),
        out.carded,
        out.no_handle,
        out.gone,
        out.profiles,
    )
    return out
