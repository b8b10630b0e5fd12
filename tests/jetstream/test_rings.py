"""The scheduled ring run over the whole ingested Bluesky follow graph (genuine.jetstream.rings)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
import sqlalchemy as sa

from genuine.cli import cli
from genuine.db import get_db
from genuine.jetstream import batch, rescore, rings
from genuine.jetstream.events import Follow, Identity
from genuine.models import AccountReport, BadgeCard, BlueskyActor, lookup_key
from genuine.signals.rings import detect_rings
from genuine.synthetic import graphs

T0 = 1_780_000_000_000_000
NOW = datetime(2026, 7, 1, tzinfo=UTC)
AFTER = timedelta(minutes=10)


def did(n: int) -> str:
    return f"did:plc:{n:024d}"


@pytest.fixture(scope="module")
def graph():
    return graphs.generate(n_follows=30_000, follows_per_ring=7_500, seed=3)


def ingest(engine, g, named):
    events = [
        Follow(
            did(int(a)),
            T0 + i,
            f"f{i}",
            False,
            did(int(b)),
            datetime.fromtimestamp(float(t), UTC) if np.isfinite(t) else None,
        )
        for i, (a, b, t) in enumerate(zip(g.follower, g.followee, g.followed_at, strict=True))
    ]
    events += [Identity(did(n), T0 + len(events) + n, f"a{n}.bsky.test") for n in named]
    for start in range(0, len(events), 2000):
        with engine.begin() as conn:
            batch.apply(conn, events[start : start + 2000], T0 + start, now=NOW)


def ring_card(engine, n):
    with engine.connect() as conn:
        card = conn.execute(
            sa.select(BadgeCard.card).where(
                BadgeCard.lookup_key == lookup_key("bluesky", f"a{n}.bsky.test")
            )
        ).scalar_one()
    return card["badges"]["follow_back_ring"]


@pytest.mark.slow
def test_the_daily_run_judges_the_whole_graph_and_rescoring_keeps_it(app, graph):
    app.config.update(PUBLIC_URL="http://genuine.test")
    engine = get_db(app).engine
    g = graph
    planted = np.flatnonzero(g.ring_of >= 0)
    others = np.flatnonzero((g.ring_of < 0) & (g.community_of >= 0))[:20]
    named = sorted({*planted[:40].tolist(), *others.tolist()})
    ingest(engine, g, named)
    rescore.rescore(engine, app.config, rescore.claim(engine, NOW, AFTER, 10**6), now=NOW)

    done = rings.run(engine, now=NOW)

    # The same detector on the generator's own arrays, no store in between, finds the same
    # members: the run reads the graph whole and maps its verdicts back to the right DIDs.
    direct = detect_rings(g.follower, g.followee, g.n_nodes, followed_at=g.followed_at)
    expected = {did(int(n)) for n in np.flatnonzero(direct.member_mask())}
    with engine.connect() as conn:
        stored = dict(conn.execute(sa.select(BlueskyActor.did, BlueskyActor.ring)).all())
    found = {d for d, ring in stored.items() if ring["badge"]["level"] == "member"}
    assert found == expected and done.members == len(expected) and done.rings >= 1
    assert done.verdicts == len(stored)
    members = [n for n in named if did(n) in expected]
    assert len(members) >= 20  # the planted rings are found (most of the first 40 members)
    for n in named:
        assert ring_card(engine, n) == stored[did(n)]["badge"]
    member = members[0]
    with engine.connect() as conn:
        evidence = conn.execute(
            sa.select(AccountReport.evidence).where(
                AccountReport.lookup_key == lookup_key("bluesky", f"a{member}.bsky.test")
            )
        ).scalar_one()
    assert f"a{member}.bsky.test" in evidence["ring"]["members"]  # named by handle

    # Rescoring a member later (an event touched it) keeps the whole-graph verdict, not the
    # neighbourhood's.
    with engine.begin() as conn:
        batch.apply(conn, [Identity(did(member), T0 + 10**9, f"a{member}.bsky.test")], T0 + 10**9)
    later = NOW + AFTER
    rescore.rescore(engine, app.config, rescore.claim(engine, later, AFTER, 10**6), now=later)
    assert ring_card(engine, member) == stored[did(member)]["badge"]


def test_a_run_over_nothing_changes_nothing(app):
    done = rings.run(get_db(app).engine, now=NOW)
    assert (done.accounts, done.rings, done.cards_changed) == (0, 0, 0)


def test_the_command_runs_it_and_says_what_changed(app, runner):
    engine = get_db(app).engine
    with engine.begin() as conn:
        batch.apply(conn, [Follow(did(1), T0, "f", False, did(2), None)], T0, now=NOW)
    result = runner.invoke(cli, ["jetstream", "--rings"])
    assert result.exit_code == 0, result.output
    assert "rings over 2 accounts and 1 follows: 0 rings" in result.output
