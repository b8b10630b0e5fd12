"""The label lifecycle: cards in, signed label rows appended to the log.

For each Bluesky card whose account has a known DID (``Account.extra["did"]`` from an audit,
or the ``BlueskyActor`` holding the card's handle, from the Jetstream ingester):

* a band the card is in and that has no live label gets a label (``exp`` = now + ttl);
* a live label whose ``exp`` is within ``renew`` of now is re-emitted with a later ``exp``;
* a live label whose band the card has left is negated (``neg: true``) — a card turned
  ``unknown`` earns no bands, so all its labels are negated;
* except that a band whose badge has an open dispute keeps its label (and keeps being
  renewed) until a reviewer resolves the dispute.

A full ``sync`` also negates live labels of accounts that no longer have a card or a DID.
Accounts without a known DID (cards from other platforms, Bluesky accounts imported
without one) get no label.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric import ec

from genuine.labeler.bands import badge_of, bands
from genuine.labeler.sign import sign_label
from genuine.models import Account, BadgeCard, BlueskyActor, Dispute
from genuine.models.labels import Label

TTL = timedelta(days=30)
RENEW = timedelta(days=7)
LABEL = Label.__table__
BATCH = 1000  # rows signed before they are inserted together


def append(conn: sa.Connection, rows: list[dict[str, Any]]) -> list[int]:
    """Append rows to the log with one multi-row INSERT; their seqs, in order."""
    if not rows:
        return []
    insert = LABEL.insert().returning(LABEL.c.seq, sort_by_parameter_order=True)
    return list(conn.execute(insert, rows).scalars())


def timestamp(at: datetime) -> str:
    """atproto datetime: UTC, millisecond precision, ``Z``."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def parse_timestamp(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def published(row: Any) -> dict[str, Any]:
    """A stored row as the label it was signed as (the ``com.atproto.label.defs#label``)."""
    label: dict[str, Any] = {"ver": 1, "src": row.src, "uri": row.uri, "val": row.val}
    if row.neg:
        label["neg"] = True
    label["cts"] = row.cts
    if row.exp is not None:
        label["exp"] = row.exp
    label["sig"] = bytes(row.sig)
    return label


@dataclass
class Subject:
    platform: str
    handle: str
    did: str | None
    card: dict[str, Any]
    disputed: frozenset[str] = frozenset()  # badge names with an open dispute ("*" = all)


@dataclass
class Outcome:
    emitted: int = 0
    renewed: int = 0
    negated: int = 0
    held: int = 0
    skipped_no_did: int = 0
    seqs: list[int] = field(default_factory=list)
    pending: list[dict[str, Any]] = field(default_factory=list, repr=False)

    def flush(self, conn: sa.Connection) -> None:
        """Insert the rows signed so far, in one statement, keeping their order."""
        self.seqs.extend(append(conn, self.pending))
        self.pending.clear()


@dataclass
class Labeler:
    src: str  # the labeler's DID
    key: ec.EllipticCurvePrivateKey
    ttl: timedelta = TTL
    renew: timedelta = RENEW

    def label(self, subject: Subject, val: str, neg: bool, now: datetime) -> dict[str, Any]:
        """The label to sign: a negation has no ``exp``, a label expires ``ttl`` from now."""
        label: dict[str, Any] = {"ver": 1, "src": self.src, "uri": subject.did, "val": val}
        if neg:
            label["neg"] = True
        label["cts"] = timestamp(now)
        if not neg:
            label["exp"] = timestamp(now + self.ttl)
        return label

    def row(self, subject: Subject, val: str, neg: bool, now: datetime) -> dict[str, Any]:
        """A signed label as the values of one new row of the log."""
        signed = sign_label(self.key, self.label(subject, val, neg, now))
        return {
            "src": self.src,
            "uri": subject.did,
            "val": val,
            "neg": neg,
            "cts": signed["cts"],
            "exp": signed.get("exp"),
            "sig": signed["sig"],
            "platform": subject.platform,
            "handle": subject.handle,
        }

    def _append(self, subject: Subject, val: str, neg: bool, now: datetime, out: Outcome) -> None:
        out.pending.append(self.row(subject, val, neg, now))

    def live(self, conn: sa.Connection, now: datetime, uri: str | None = None) -> dict:
        """(uri, val) → latest row, for pairs whose latest row is a label not yet expired."""
        latest = sa.select(sa.func.max(LABEL.c.seq)).where(LABEL.c.src == self.src)
        if uri is not None:
            latest = latest.where(LABEL.c.uri == uri)
        latest = latest.group_by(LABEL.c.uri, LABEL.c.val)
        rows = conn.execute(sa.select(LABEL).where(LABEL.c.seq.in_(latest)))
        stamp = timestamp(now)
        return {(r.uri, r.val): r for r in rows if not r.neg and (r.exp is None or r.exp > stamp)}

    def apply(self, subject: Subject, live: dict, now: datetime, out: Outcome) -> None:
        want = bands(subject.card)
        mine = {val: row for (uri, val), row in live.items() if uri == subject.did}
        renew_by = timestamp(now + self.renew)
        for val, row in mine.items():
            held = "*" in subject.disputed or badge_of(val) in subject.disputed
            if val not in want and not held:
                self._append(subject, val, True, now, out)
                out.negated += 1
                continue
            if val not in want:
                out.held += 1
            if row.exp is not None and row.exp <= renew_by:
                self._append(subject, val, False, now, out)
                out.renewed += 1
        for val in sorted(want - mine.keys()):
            self._append(subject, val, False, now, out)
            out.emitted += 1

    def sync(
        self, conn: sa.Connection, subjects: Iterable[Subject], now: datetime | None = None
    ) -> Outcome:
        """Run the lifecycle over every subject; negate live labels of absent subjects."""
        now = now or datetime.now(UTC)
        out = Outcome()
        live = self.live(conn, now)
        seen: set[str] = set()
        for subject in subjects:
            if not subject.did:
                out.skipped_no_did += 1
                continue
            seen.add(subject.did)
            self.apply(subject, live, now, out)
            if len(out.pending) >= BATCH:
                out.flush(conn)
        for (uri, val), row in live.items():
            if uri not in seen:
                gone = Subject(row.platform, row.handle, uri, {})
                self._append(gone, val, True, now, out)
                out.negated += 1
        out.flush(conn)
        return out


def subjects(conn: sa.Connection) -> Iterable[Subject]:
    """Every Bluesky card with its account's DID (None when unknown) and open disputes."""
    cards = BadgeCard.__table__
    accounts = Account.__table__
    disputes = Dispute.__table__
    open_disputes: dict[tuple[str, str], set[str]] = {}
    for d in conn.execute(
        sa.select(disputes.c.handle, disputes.c.badge).where(
            disputes.c.platform == "bluesky", disputes.c.status == "open"
        )
    ):
        open_disputes.setdefault(("bluesky", d.handle), set()).add(d.badge or "*")
    actors = BlueskyActor.__table__
    rows = conn.execute(
        sa.select(cards.c.handle, cards.c.card, accounts.c.extra, actors.c.did)
        .select_from(
            cards.outerjoin(
                accounts,
                sa.and_(
                    accounts.c.platform == cards.c.platform, accounts.c.handle == cards.c.handle
                ),
            ).outerjoin(actors, actors.c.handle == cards.c.handle)
        )
        .where(cards.c.platform == "bluesky")
        .order_by(cards.c.handle)
    )
    for r in rows:
        did = (r.extra or {}).get("did") or r.did  # an audit's profile, or the ingester's actor
        if not (isinstance(did, str) and did.startswith("did:")):
            did = None
        yield Subject(
            "bluesky",
            r.handle,
            did,
            r.card,
            frozenset(open_disputes.get(("bluesky", r.handle), ())),
        )
