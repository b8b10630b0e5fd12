"""The audit pipeline: fetch one account live, store what was fetched, recompute its card.

    request_audit ──► queue (genuine.pipeline.queue) ──► run_audit: claim ─► fetch (genuine.sources)
        ─► import_records (account, follower profiles, follows, posts, a snapshot)
        ─► score that account ─► card, report and "done" in one transaction
        ─► after-audit hooks, in order (`after_audit`; the directory registers its own from
           create_app: ownership codes in the fetched bio, then cards that turned bad)

The `audit` row is the truth about an audit (genuine.models.audits). Two requests for
the same account share one row. A worker claims a row with a lease and extends it on
every request it makes; `recover` queues again any audit whose lease ran out (its
worker died), and the claim is atomic, so an audit completes once however many
messages name it. A failed audit keeps the previous card and records why. The
snapshot's time is the audit's first start, so a retried audit writes the same
snapshot rather than a second one.

Fetched data is imported (committed) before scoring: the store may briefly hold new
profiles without a new card, which nobody is served; the card only changes with the
commit that marks the audit done.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from genuine.cards.score import score_store
from genuine.formats import FormatError, Record
from genuine.importing import import_records
from genuine.models import Audit, BadgeCard
from genuine.sources import Fetched, Progress, SourceError, open_source

TABLE = Audit.__table__
ACTIVE = ("queued", "running")
HEARTBEAT_SECONDS = 5.0


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Audited:
    """What an after-audit hook is told: the account just audited, its profile as fetched."""

    platform: str
    handle: str
    account: Mapping[str, Any]  # account values as fetched (bio, counts, ...)


AfterAudit = Callable[[sa.Engine, Mapping[str, Any], Audited], None]
_AFTER_AUDIT: list[AfterAudit] = []


def after_audit(hook: AfterAudit) -> AfterAudit:
    """Call `hook(engine, config, audited)` after every audit that ends "done", in the order
    registered, once its card is committed. Hooks are process-wide, like Flask's signals:
    registering the same function again (a second app) keeps it once."""
    if hook not in _AFTER_AUDIT:
        _AFTER_AUDIT.append(hook)
    return hook


def get(engine: sa.Engine, audit_id: str) -> dict[str, Any] | None:
    with engine.connect() as conn:
        row = conn.execute(sa.select(TABLE).where(TABLE.c.id == audit_id)).mappings().first()
    return dict(row) if row else None


def request_audit(
    engine: sa.Engine, platform: str, handle: str, *, followers: int, origin: str = "api"
) -> tuple[dict[str, Any], bool]:
    """The active audit of this account, or a new queued one; (audit, created)."""
    key = f"{platform}:{handle}"
    for _ in range(3):
        with engine.connect() as conn:
            row = conn.execute(sa.select(TABLE).where(TABLE.c.active_key == key)).mappings().first()
        if row:
            return dict(row), False
        values = {
            "id": uuid.uuid4().hex,
            "platform": platform,
            "handle": handle,
            "status": "queued",
            "active_key": key,
            "origin": origin,
            "followers": followers,
            "requested_at": _now(),
            "attempts": 0,
            "notes": [],
        }
        try:
            with engine.begin() as conn:
                conn.execute(TABLE.insert().values(**values))
        except sa.exc.IntegrityError:
            continue  # another request created it a moment ago: share that one
        return get(engine, values["id"]), True
    raise RuntimeError(f"could not create or find an audit of {key}")


def claim(engine: sa.Engine, audit_id: str, lease_seconds: float) -> dict[str, Any] | None:
    """Take the audit if it is queued or its lease ran out; None when someone else has it."""
    now = _now()
    with engine.begin() as conn:
        taken = conn.execute(
            TABLE.update()
            .where(
                TABLE.c.id == audit_id,
                sa.or_(
                    TABLE.c.status == "queued",
                    sa.and_(TABLE.c.status == "running", TABLE.c.lease_until < now),
                ),
            )
            .values(
                status="running",
                lease_until=now + timedelta(seconds=lease_seconds),
                attempts=TABLE.c.attempts + 1,
                started_at=sa.func.coalesce(TABLE.c.started_at, now),
            )
        ).rowcount
    return get(engine, audit_id) if taken == 1 else None


def _owned(audit: Mapping[str, Any]):
    return sa.and_(
        TABLE.c.id == audit["id"],
        TABLE.c.status == "running",
        TABLE.c.attempts == audit["attempts"],
    )


def _heartbeat(engine: sa.Engine, audit: Mapping[str, Any], lease_seconds: float) -> Callable:
    last = [time.monotonic()]
    every = min(HEARTBEAT_SECONDS, lease_seconds / 3)

    def beat() -> None:
        if time.monotonic() - last[0] < every:
            return
        last[0] = time.monotonic()
        with engine.begin() as conn:
            conn.execute(
                TABLE.update()
                .where(_owned(audit))
                .values(lease_until=_now() + timedelta(seconds=lease_seconds))
            )

    return beat


def records(fetched: Fetched, taken_at: datetime) -> Iterator[Record]:
    """What an audit fetched, as import records: each key once, the audited profile first."""
    seen: set[Any] = set()
    line = 0

    def once(kind: str, key: tuple, values: dict[str, Any]) -> Iterator[Record]:
        nonlocal line
        if (kind, *key) in seen or not all(key):
            return
        seen.add((kind, *key))
        line += 1
        yield Record(kind, fetched.source, line, values)

    for account in [fetched.account, *fetched.followers, *fetched.following]:
        yield from once("account", (account["handle"],), account)
    account = fetched.account
    yield from once(
        "snapshot",
        (account["handle"], taken_at),
        {
            "platform": fetched.platform,
            "handle": account["handle"],
            "taken_at": taken_at,
            "followers_count": account["followers_count"],
            "following_count": account["following_count"],
            "posts_count": account["posts_count"],
        },
    )
    for follow in fetched.follows:
        yield from once("follow", (follow["follower"], follow["followee"]), follow)
    for post in fetched.posts:
        yield from once("post", (post["post_id"],), post)


def run_audit(
    engine: sa.Engine,
    config: Mapping[str, Any],
    audit_id: str,
    *,
    progress: Progress | None = None,
    source_factory: Callable = open_source,
) -> dict[str, Any] | None:
    """Run one audit to the end (done or failed); None when it is not ours to run."""
    lease = float(config.get("AUDIT_LEASE_SECONDS", 300))
    audit = claim(engine, audit_id, lease)
    if audit is None:
        return None
    requests = None
    try:
        source = source_factory(audit["platform"], config, audit["handle"])
        source.http.on_request = _heartbeat(engine, audit, lease)
        try:
            fetched = source.fetch(
                audit["handle"],
                followers=audit["followers"],
                posts=int(config.get("AUDIT_POSTS", 200)),
                questions=int(config.get("AUDIT_QUESTIONS", 60)),
                progress=progress,
            )
        finally:
            requests = source.http.total
            source.http.close()
        if progress:
            progress("storing", 0, None)
        import_records(engine, records(fetched, audit["started_at"]))
        try:
            with engine.begin() as conn:
                # Scoring reads on its own connection and writes here last, so the
                # write lock is held for the card writes only.
                score_store(
                    engine,
                    public_url=config["PUBLIC_URL"],
                    platforms=[audit["platform"]],
                    handles=[fetched.handle],
                    conn=conn,
                )
                finished = conn.execute(
                    TABLE.update()
                    .where(_owned(audit))
                    .values(
                        status="done",
                        active_key=None,
                        finished_at=_now(),
                        lease_until=None,
                        requests=requests,
                        error=None,
                        notes=fetched.notes,
                    )
                ).rowcount
                if finished != 1:
                    raise _Lost
        except _Lost:
            return get(engine, audit_id)  # our lease ran out and another worker's card wins
    except (SourceError, FormatError) as exc:
        _fail(engine, audit, str(exc), requests)
    except Exception as exc:
        _fail(engine, audit, f"internal error: {exc.__class__.__name__}: {exc}"[:2000], requests)
        raise
    else:
        audited = Audited(audit["platform"], fetched.handle, fetched.account)
        for hook in list(_AFTER_AUDIT):
            hook(engine, config, audited)
    return get(engine, audit_id)


class _Lost(Exception):
    """Rolls back a finished audit whose worker no longer holds it."""


def _fail(engine: sa.Engine, audit: Mapping[str, Any], error: str, requests: int | None) -> None:
    with engine.begin() as conn:
        conn.execute(
            TABLE.update()
            .where(_owned(audit))
            .values(
                status="failed",
                active_key=None,
                finished_at=_now(),
                lease_until=None,
                requests=requests,
                error=error[:2000],
            )
        )


def lost(engine: sa.Engine, lease_seconds: float) -> list[str]:
    """Audits no worker is on: running past their lease, or queued longer than a lease."""
    now = _now()
    with engine.connect() as conn:
        return list(
            conn.execute(
                sa.select(TABLE.c.id).where(
                    sa.or_(
                        sa.and_(TABLE.c.status == "running", TABLE.c.lease_until < now),
                        sa.and_(
                            TABLE.c.status == "queued",
                            TABLE.c.requested_at < now - timedelta(seconds=lease_seconds),
                        ),
                    )
                )
            ).scalars()
        )


def stale(engine: sa.Engine, hours: float, platforms: list[str], limit: int) -> list[tuple]:
    """Audited accounts whose card is older than `hours`, oldest first, none in progress."""
    cutoff = _now() - timedelta(hours=hours)
    card = BadgeCard.__table__
    audited = (
        sa.select(TABLE.c.platform, TABLE.c.handle)
        .where(TABLE.c.status == "done", TABLE.c.platform.in_(platforms))
        .distinct()
        .subquery()
    )
    active = sa.select(TABLE.c.active_key).where(TABLE.c.active_key.is_not(None))
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(card.c.platform, card.c.handle)
            .join(
                audited,
                sa.and_(audited.c.platform == card.c.platform, audited.c.handle == card.c.handle),
            )
            .where(
                card.c.computed_at < cutoff,
                (card.c.platform + ":" + card.c.handle).not_in(active),
            )
            .order_by(card.c.computed_at)
            .limit(limit)
        ).all()
    return [tuple(r) for r in rows]
