"""The job queue: huey on SQLite in the instance folder, or on Redis when GENUINE_REDIS_URL is set.

One huey per app (`get_huey`), with three tasks bound to that app:

- `audit(audit_id)`: run one audit (genuine.pipeline.audits.run_audit);
- `reaudit` (every 15 minutes): queue audits of accounts whose card is older than
  REAUDIT_AFTER_HOURS, so snapshots accumulate and follower jumps become visible;
- `recover` (every minute, and when a worker starts): queue again audits whose
  worker died, since huey does not give a message back when its consumer is killed;
- `rescore(dids)`: card Bluesky accounts the Jetstream ingester touched
  (genuine.jetstream.rescore), and `rescore_due` (every minute; `genuine jetstream` also
  calls `queue_dirty` after its batches): claim the due ones and queue them in jobs;
- `rings_daily` (at RINGS_DAILY_AT, UTC): follow-back rings over the whole ingested Bluesky
  graph, the ring badges of ingested accounts updated (genuine.jetstream.rings).

`genuine worker` runs the consumer; the API and `genuine audit --queue` only enqueue.
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, current_app
from huey import Huey, RedisHuey, SqliteHuey, crontab
from sqlalchemy.orm import Session

from genuine.db import get_db
from genuine.jetstream import rescore
from genuine.jetstream import rings as jetstream_rings
from genuine.pipeline import audits
from genuine.pipeline.platforms import auditable, can_audit
from genuine.sources.bluesky import BlueskySource

log = logging.getLogger("genuine.pipeline.queue")


def make_huey(app: Flask) -> Huey:
    config = app.config
    immediate = bool(config.get("QUEUE_IMMEDIATE"))
    if config.get("REDIS_URL"):
        huey: Huey = RedisHuey("genuine", url=config["REDIS_URL"], immediate=immediate)
    else:
        path = Path(app.instance_path) / "huey.sqlite"
        huey = SqliteHuey("genuine", filename=str(path), immediate=immediate)
    pid = [os.getpid()]

    def engine():
        db = get_db(app)
        if pid[0] != os.getpid():  # a forked process worker: connections are not shareable
            db.engine.dispose(close=False)
            pid[0] = os.getpid()
        return db.engine

    @huey.task(name="audit")
    def audit(audit_id: str) -> str | None:
        with app.app_context():
            done = audits.run_audit(engine(), app.config, audit_id)
        return done["status"] if done else None

    @huey.periodic_task(crontab(minute="*/15"), name="reaudit")
    def reaudit() -> int:
        with app.app_context():
            return queue_stale(app)

    @huey.periodic_task(crontab(minute="*"), name="recover")
    def recover() -> int:
        with app.app_context():
            return requeue_lost(app)

    @huey.task(name="rescore")
    def rescore_task(dids: list[str]) -> int:
        with app.app_context():
            asks = app.config["RESCORE_APPVIEW"] and can_audit(app.config, "bluesky")
            source = BlueskySource(app.config) if asks else None
            return rescore.rescore(engine(), app.config, dids, source=source).carded

    @huey.periodic_task(crontab(minute="*"), name="rescore_due")
    def rescore_due() -> int:
        with app.app_context():
            return queue_dirty(app)

    at = str(config.get("RINGS_DAILY_AT") or "")
    if at:  # "HH:MM" UTC; empty: never (`genuine jetstream --rings` runs it by hand)
        hour, _, minute = at.partition(":")

        @huey.periodic_task(crontab(minute=minute or "0", hour=hour), name="rings_daily")
        def rings_daily() -> int:
            with app.app_context():
                ring_engine = str(config.get("RINGS_ENGINE") or "inprocess")
                return jetstream_rings.run(engine(), ring_engine=ring_engine).cards_changed

    huey.genuine_tasks = {
        "audit": audit,
        "reaudit": reaudit,
        "recover": recover,
        "rescore": rescore_task,
        "rescore_due": rescore_due,
    }
    return huey


def get_huey(app: Flask | None = None) -> Huey:
    app = app or current_app._get_current_object()
    huey = app.extensions.get("genuine.huey")
    if huey is None:
        huey = app.extensions["genuine.huey"] = make_huey(app)
    return huey


def enqueue(audit_id: str, app: Flask | None = None) -> None:
    get_huey(app).genuine_tasks["audit"](audit_id)


def request(
    platform: str,
    handle: str,
    *,
    followers: int | None = None,
    origin: str = "api",
    after: Session | None = None,
) -> tuple[dict, bool] | None:
    """Create (or share) the audit of one account and queue it when new: (audit, created).

    None, and nothing queued, when this server cannot audit the platform (ask `can_audit`
    first for the words). With `after`, a session in a transaction, it happens once that
    transaction commits and the answer is None: not before, since on SQLite the queue's own
    write would wait for the transaction."""
    app = current_app._get_current_object()
    if not can_audit(app.config, platform):
        return None
    if after is not None:
        sa.event.listen(
            after,
            "after_commit",
            lambda _s: _request(app, platform, handle, followers, origin),
            once=True,
        )
        return None
    return _request(app, platform, handle, followers, origin)


def _request(
    app: Flask, platform: str, handle: str, followers: int | None, origin: str
) -> tuple[dict, bool]:
    audit, created = audits.request_audit(
        get_db(app).engine,
        platform,
        handle,
        followers=followers or int(app.config["AUDIT_FOLLOWERS"]),
        origin=origin,
    )
    if created:
        enqueue(audit["id"], app)
        audit = audits.get(get_db(app).engine, audit["id"]) or audit
    return audit, created


def requeue_lost(app: Flask) -> int:
    lost = audits.lost(get_db(app).engine, float(app.config["AUDIT_LEASE_SECONDS"]))
    for audit_id in lost:
        log.warning("audit %s lost its worker: queued again", audit_id)
        enqueue(audit_id, app)
    return len(lost)


def queue_stale(app: Flask) -> int:
    hours = float(app.config["REAUDIT_AFTER_HOURS"] or 0)
    if hours <= 0:
        return 0
    due = audits.stale(
        get_db(app).engine, hours, auditable(app.config), int(app.config["REAUDIT_BATCH"])
    )
    for platform, handle in due:
        audit, created = audits.request_audit(
            get_db(app).engine,
            platform,
            handle,
            followers=int(app.config["AUDIT_FOLLOWERS"]),
            origin="schedule",
        )
        if created:
            enqueue(audit["id"], app)
    return len(due)


def queue_dirty(app: Flask, now: datetime | None = None) -> int:
    """Claim the dirty Bluesky accounts due for a card and queue them, RESCORE_BATCH a job."""
    config = app.config
    size = int(config["RESCORE_BATCH"])
    dids = rescore.claim(
        get_db(app).engine,
        now or datetime.now(UTC),
        timedelta(seconds=float(config["RESCORE_AFTER_SECONDS"])),
        size * int(config["RESCORE_JOBS"]),
    )
    task = get_huey(app).genuine_tasks["rescore"]
    for start in range(0, len(dids), size):
        task(dids[start : start + size])
    return len(dids)


def queue_problem(app: Flask | None = None) -> str | None:
    """None when the queue's storage answers, else what is wrong (healthz)."""
    try:
        get_huey(app).pending_count()
    except Exception as exc:
        return f"unreachable: {exc.__class__.__name__}"
    return None
