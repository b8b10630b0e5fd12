"""The scheduled ring run over the ingested Bluesky graph with RINGS_ENGINE=spark: the store
exported to Parquet, the Spark engine, the same verdicts stored as with the in-process run."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from genuine.db import get_db
from genuine.jetstream import rings
from genuine.models import BlueskyActor
from genuine.synthetic import graphs
from tests.jetstream.test_rings import NOW, ingest

# SQLite only: the export reads both stores alike (tests/commands/test_export.py covers
# PostgreSQL), and a Spark run is slow enough once.
pytestmark = [pytest.mark.slow, pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]


def stored(engine) -> dict:
    with engine.connect() as conn:
        return dict(conn.execute(sa.select(BlueskyActor.did, BlueskyActor.ring)).all())


def test_spark_run_stores_the_inprocess_verdicts(app, spark):
    g = graphs.generate(n_follows=15_000, follows_per_ring=5_000, seed=3)
    engine = get_db(app).engine
    ingest(engine, g, named=[])
    ref = rings.run(engine, now=NOW)
    expected = stored(engine)
    assert ref.members and sum(v["badge"]["level"] == "member" for v in expected.values())
    with engine.begin() as conn:
        conn.execute(BlueskyActor.__table__.update().values(ring=None))
    done = rings.run(engine, now=NOW, ring_engine="spark")
    assert (done.accounts, done.follows, done.rings, done.members) == (
        ref.accounts, ref.follows, ref.rings, ref.members,
    )  # fmt: skip
    assert stored(engine) == expected


def test_unknown_engine_is_refused(app):
    with pytest.raises(ValueError, match="RINGS_ENGINE"):
        rings.run(get_db(app).engine, now=NOW, ring_engine="hadoop")
