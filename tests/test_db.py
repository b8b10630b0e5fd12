"""Engine settings and migrations on both databases."""

import threading

import pytest
import sqlalchemy as sa
from alembic import command

from genuine import create_app
from genuine.db import (
    alembic_config,
    current_revision,
    get_db,
    head_revision,
    in_transaction,
    read_rows,
    schema_problem,
    upgrade,
)


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    with get_db(app).engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        # Read through a memory map (issue 16: 1M cards' lookups missed the page cache).
        assert conn.exec_driver_sql("PRAGMA mmap_size").scalar() >= 1 << 30


def test_schema_check_before_and_after_upgrade(database_url, tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": database_url})
    with app.app_context():
        assert "run `genuine db upgrade`" in schema_problem()
        upgrade()
        assert schema_problem() is None
        assert current_revision(get_db().engine) == head_revision()
    get_db(app).engine.dispose()


def test_downgrade_to_base_and_back(app):
    engine = get_db(app).engine
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "base")
    assert "account" not in sa.inspect(engine).get_table_names()
    upgrade(app)
    assert {"account", "follow", "post", "snapshot", "badgecard"} <= set(
        sa.inspect(engine).get_table_names()
    )


def test_models_and_migrations_agree(app):
    """Every schema change is a revision: autogenerate finds nothing left to migrate."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlmodel import SQLModel

    import genuine.models  # noqa: F401

    with get_db(app).engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_driver_reads_raise_sqlalchemys_errors_and_give_the_connection_back(app):
    """db.read_rows runs on the driver's cursor: its rows are plain tuples, a failing
    statement comes out as SQLAlchemy's DBAPIError (what genuine.outages maps to 503), not
    a driver error, and the pooled connection goes back to the pool either way."""
    engine = get_db(app).engine
    mark = "%s" if engine.dialect.name == "postgresql" else "?"
    assert read_rows(engine, f"SELECT 1 + {mark}", (1,)) == [(2,)]
    with pytest.raises(sa.exc.DBAPIError) as raised:
        read_rows(engine, "SELECT * FROM no_such_table", ())
    assert not raised.value.connection_invalidated
    assert isinstance(raised.value.orig, engine.dialect.loaded_dbapi.Error)
    assert engine.pool.checkedout() == 0
    assert read_rows(engine, "SELECT count(*) FROM badgecard", ()) == [(0,)]


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_driver_reads_run_outside_a_transaction_and_leave_the_pool_transactional(app):
    """On PostgreSQL the one-statement reads run in autocommit (no BEGIN, no ROLLBACK); the
    connection goes back to the pool with transactions on again, after a failing statement
    too, so a write that follows on the same pooled connection still rolls back whole."""
    engine = get_db(app).engine
    engine.dispose()  # one pooled connection: every read and the write below share it
    # The statement is its own transaction: a BEGIN before it would start the clock earlier.
    assert read_rows(engine, "SELECT now() = statement_timestamp()", ()) == [(True,)]
    with pytest.raises(sa.exc.DBAPIError):
        read_rows(engine, "SELECT * FROM no_such_table", ())
    assert engine.pool.checkedin() == 1
    with pytest.raises(RuntimeError), engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO alembic_version VALUES ('rolled-back')")
        raise RuntimeError("abort the transaction")
    with engine.connect() as conn:
        assert not conn.connection.dbapi_connection.autocommit
        versions = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars()
        assert "rolled-back" not in list(versions)


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_a_deadlock_victim_runs_again(app):
    """Two transactions lock two rows in opposite orders: PostgreSQL aborts one, and
    in_transaction runs it again once the other has committed."""
    engine = get_db(app).engine
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE pair (id int PRIMARY KEY, v int)"))
        conn.execute(sa.text("INSERT INTO pair VALUES (1, 0), (2, 0)"))
    both = threading.Barrier(2)
    attempts: list[int] = []

    def crossing(first: int, second: int):
        def work(conn):
            attempts.append(first)
            conn.execute(sa.text("UPDATE pair SET v = v + 1 WHERE id = :i"), {"i": first})
            if len(attempts) <= 2:  # first attempts only: make them cross
                both.wait(timeout=10)
            conn.execute(sa.text("UPDATE pair SET v = v + 1 WHERE id = :i"), {"i": second})

        return work

    errors: list[BaseException] = []

    def run(first: int, second: int) -> None:
        try:
            in_transaction(engine, crossing(first, second))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=pair) for pair in ((1, 2), (2, 1))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert len(attempts) == 3  # one of the two ran again
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT v FROM pair ORDER BY id")).scalars().all() == [2, 2]


def test_card_compact_backfill_matches_the_writer(app):
    """0011_card_compact fills `compact` for existing cards as card_row writes it for new ones."""
    from genuine.cards.store import card_row
    from tests.cards import make_card

    engine = get_db(app).engine
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0010_actor_rings")
    member = make_card("x", "ringleader", ring="member", reason='ünï "<b>"')
    member["synthetic"] = True
    partial = make_card("bluesky", "alice.bsky.social", risk="high")
    del partial["badges"]["reply_rate"]
    partial["badges"]["follower_purchase_risk"]["score"] = None
    made = [member, partial] + [make_card("x", f"user{i}") for i in range(2100)]  # > a batch
    rows = [card_row(c) for c in made]
    with engine.begin() as conn:
        table = sa.Table("badgecard", sa.MetaData(), autoload_with=conn)  # as at 0010
        assert "compact" not in table.c
        conn.execute(table.insert(), [{k: v for k, v in r.items() if k != "compact"} for r in rows])
    upgrade(app)
    with engine.connect() as conn:
        stored = dict(conn.execute(sa.text("SELECT lookup_key, compact FROM badgecard")).all())
    assert stored == {r["lookup_key"]: r["compact"] for r in rows}
    assert stored[rows[0]["lookup_key"]] == (
        '{"badges":{"follower_purchase_risk":{"level":"low","score":0.07},'
        '"reply_rate":{"level":"responsive","answered_share":0.93},'
        '"follow_back_ring":{"level":"member","ring_size":12}},"synthetic":true}'
    )
    assert stored[rows[1]["lookup_key"]] == (
        '{"badges":{"follower_purchase_risk":{"level":"high"},'
        '"follow_back_ring":{"level":"not_member"}}}'
    )


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_reads_survive_a_killed_pooled_connection(app, postgres_admin_url):
    """No pool_pre_ping (a SELECT 1 per checkout, issue 16): when the server ends a pooled
    connection's backend (a restart does that to all of them), a badge read runs again on a
    fresh connection and answers 200; any other request answers 503 problem+json, not 500."""
    from genuine.cards.store import save_cards
    from tests.cards import make_card

    engine = get_db(app).engine
    assert not engine.pool._pre_ping
    with engine.begin() as conn:
        save_cards(conn, [make_card("x", "amazonhelp")])
    client = app.test_client()
    admin = sa.create_engine(postgres_admin_url, poolclass=sa.pool.NullPool)

    def kill_pooled() -> None:
        with engine.connect() as conn:  # the one pooled connection (one request at a time)
            pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        assert engine.pool.checkedin() == 1
        with admin.connect() as conn:
            assert conn.execute(sa.text("SELECT pg_terminate_backend(:p)"), {"p": pid}).scalar()

    body = {"accounts": [{"platform": "x", "handle": "amazonhelp"}]}
    reads = [
        lambda: client.get("/api/v1/badges/x/amazonhelp"),
        lambda: client.post("/api/v1/badges/lookup", json=body),
        lambda: client.post("/api/v1/badges/ranges", json={"prefixes": ["a"], "compact": True}),
        lambda: client.get("/api/v1/badges/range/a"),
    ]
    for read in reads:
        assert read().status_code == 200  # pools a connection
        kill_pooled()
        assert read().status_code == 200
    kill_pooled()
    other = client.get("/api/v1/healthz")
    assert other.status_code in (200, 503)
    if other.status_code == 503:
        assert other.mimetype == "application/problem+json"
    assert client.get("/api/v1/badges/x/amazonhelp").status_code == 200
    admin.dispose()
