"""Follow-back rings over the whole ingested Bluesky follow graph, on a schedule (issue 13).

Rescoring one account sees only its neighbourhood in the store; whether it belongs to a
ring is a question about the whole graph. So once a day (`RINGS_DAILY_AT`, UTC; huey's
`rings_daily` task) and on demand (`genuine jetstream --rings`), this module:

1. reads the Bluesky follow graph from the store (genuine.cards.load.load_follows_from_db)
   and runs the same detector as every ring badge (genuine.signals.rings.detect_rings);
2. stores each ingested account's verdict (the card's `follow_back_ring` section) on its
   `BlueskyActor` row (`{"badge": the section, "evidence": its ring's members or None}`),
   where rescoring takes it from until the next run;
3. rewrites the ring badge (and the report's ring evidence) of every ingested account's
   card whose verdict changed, so ring badges follow the graph without waiting for events.

Accounts are DIDs in the graph; ring members are named by handle in reports where one is
known.
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import sqlalchemy as sa

from genuine.cards.load import load_follows_from_db
from genuine.cards.store import save_cards
from genuine.db import in_transaction
from genuine.models import AccountReport, BadgeCard, BlueskyActor, lookup_key
from genuine.signals.rings import RingResult

log = logging.getLogger("genuine.jetstream.rings")
_actors = BlueskyActor.__table__
_cards = BadgeCard.__table__
_reports = AccountReport.__table__
CHUNK = 2000  # actor rows per transaction: locks held briefly beside the ingester


@dataclass
class RingRun:
    accounts: int = 0  # nodes of the graph
    follows: int = 0
    rings: int = 0
    members: int = 0  # ingested accounts in a ring
    verdicts: int = 0  # actor rows given a verdict
    cards_changed: int = 0


def _verdicts(result: RingResult, names: np.ndarray, dids: list[str]) -> dict[str, dict]:
    """The follow_back_ring section of each DID (ids outside the graph: no follow data).
    `names` is the graph's sorted node names, never empty (no follows: no run)."""
    wanted = np.array(dids, dtype=object).astype(str)
    pos = np.minimum(np.searchsorted(names, wanted), names.size - 1)
    node = np.where(names[pos] == wanted, pos, -1)
    return {did: result.lookup(int(n)).to_card() for did, n in zip(dids, node, strict=True)}


def _ring_evidence(result: RingResult, names: np.ndarray, section: dict, handles: dict) -> Any:
    ring = result.ring(section["ring_id"]) if section.get("ring_id") else None
    if ring is None:
        return None
    members = [str(names[m]) for m in ring.members.tolist()]
    return {
        "id": ring.id,
        "members": [handles.get(m, m) for m in members],
        "density": round(ring.density, 4),
    }


def _detect(engine: sa.Engine, ring_engine: str) -> tuple[RingResult, np.ndarray, int] | None:
    """(result, sorted node names, follows) of the Bluesky graph; None without follows."""
    if ring_engine not in ("inprocess", "spark"):
        raise ValueError(f"RINGS_ENGINE is {ring_engine!r}: use 'inprocess' or 'spark'")
    if ring_engine == "spark":
        return _detect_spark(engine)
    graphs = load_follows_from_db(engine, "bluesky")
    if not graphs:
        return None
    data = graphs[0]
    return data.detect(), data.handles.astype(str), int(data.follower.size)


def _detect_spark(engine: sa.Engine) -> tuple[RingResult, np.ndarray, int] | None:
    """The same on Spark: the store's graph streamed to Parquet, then the Spark engine."""
    from genuine.spark.export import export_follows
    from genuine.spark.job import rings_at
    from genuine.spark.session import check_spark

    check_spark()  # before the export, which would be wasted without Spark
    with tempfile.TemporaryDirectory(prefix="genuine-rings-") as tmp:
        counts = export_follows(engine, Path(tmp), "bluesky")
        if not counts["follows"]:
            return None
        [(_, names, result, follows)] = rings_at(Path(tmp), "bluesky", check=False)
    return result, names, follows


def run(engine: sa.Engine, now: datetime | None = None, ring_engine: str = "inprocess") -> RingRun:
    """Judge the whole graph with `ring_engine` ("inprocess" or "spark", RINGS_ENGINE)."""
    now = now or datetime.now(UTC)
    out = RingRun()
    found = _detect(engine, ring_engine)
    if found is None:
        return out
    result, names, out.follows = found
    out.accounts = int(names.size)
    out.rings = len(result.rings)
    with engine.connect() as conn:
        actors = dict(conn.execute(sa.select(_actors.c.did, _actors.c.handle)).all())
    handles = {did: handle for did, handle in actors.items() if handle}
    dids = sorted(actors)
    for start in range(0, len(dids), CHUNK):
        chunk = dids[start : start + CHUNK]
        verdicts = _verdicts(result, names, chunk)
        out.verdicts += len(verdicts)
        out.members += sum(v["level"] == "member" for v in verdicts.values())

        stored = {
            did: {"badge": v, "evidence": _ring_evidence(result, names, v, handles)}
            for did, v in verdicts.items()
        }

        def write(conn: sa.Connection, chunk=chunk, stored=stored) -> int:
            conn.execute(
                _actors.update()
                .where(_actors.c.did == sa.bindparam("b_did"))
                .values(ring=sa.bindparam("b_ring"), ring_at=now),
                [{"b_did": did, "b_ring": stored[did]} for did in chunk],
            )
            return _rewrite_cards(conn, chunk, stored, handles)

        out.cards_changed += in_transaction(engine, write)
    log.info(
        "rings over %d accounts and %d follows: %d rings, %d ingested members, %d cards changed",
        out.accounts,
        out.follows,
        out.rings,
        out.members,
        out.cards_changed,
    )
    return out


def _rewrite_cards(conn: sa.Connection, dids: list[str], stored: dict, handles: dict) -> int:
    keyed = {lookup_key("bluesky", handles[d]): d for d in dids if d in handles}
    if not keyed:
        return 0
    rows = conn.execute(
        sa.select(_cards.c.lookup_key, _cards.c.card).where(_cards.c.lookup_key.in_(list(keyed)))
    ).all()
    changed = []
    for key, card in rows:
        verdict = stored[keyed[key]]
        if card["badges"].get("follow_back_ring") == verdict["badge"]:
            continue
        changed.append({**card, "badges": {**card["badges"], "follow_back_ring": verdict["badge"]}})
        report = conn.execute(
            sa.select(_reports.c.evidence).where(_reports.c.lookup_key == key)
        ).scalar_one_or_none()
        if report is not None:
            evidence = {**report, "ring": verdict["evidence"]}
            conn.execute(
                _reports.update()
                .where(_reports.c.lookup_key == key)
                .values(evidence=evidence, charts=None, charts_etag=None)
            )
    save_cards(conn, changed)
    return len(changed)
