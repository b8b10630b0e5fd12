"""Imports on SQLite and PostgreSQL: upsert, idempotency, all-or-nothing, real data."""

import csv

import pytest
import sqlalchemy as sa

from genuine.cli import cli
from genuine.db import get_db
from genuine.formats import FormatError, read
from genuine.importing import import_records
from tests.helpers import write_csv


def dump(app) -> dict[str, list[tuple]]:
    """Every row of every table, sorted: what 'the database is unchanged' compares."""
    tables = ("account", "snapshot", "follow", "post", "badgecard")
    with get_db(app).engine.connect() as conn:
        return {
            t: sorted(tuple(map(str, row)) for row in conn.execute(sa.text(f"SELECT * FROM {t}")))
            for t in tables
        }


def dataset(tmp_path, follows=None):
    write_csv(
        tmp_path / "accounts.csv",
        ["platform", "handle", "followers_count", "bio"],
        [["x", "Alice", "10", "Zoë 🦊 <b>'; DROP TABLE account;--"], ["x", "bob", "", ""]],
    )
    write_csv(
        tmp_path / "follows.csv",
        ["platform", "follower", "followee", "followed_at"],
        follows or [["x", "alice", "bob", "2024-01-01T00:00:00Z"], ["x", "bob", "alice", ""]],
    )
    write_csv(
        tmp_path / "snapshots.csv",
        ["platform", "handle", "taken_at", "followers_count"],
        [["x", "alice", "2024-01-01", "5"], ["x", "alice", "2024-01-02", "10"]],
    )
    write_csv(
        tmp_path / "posts.csv",
        ["platform", "post_id", "author", "created_at", "text"],
        [["x", "1", "alice", "2024-01-01T00:00:00Z", "héllo\nworld"]],
    )
    return tmp_path


def run(app, path, fmt="genuine", batch_size=10_000):
    return import_records(get_db(app).engine, read(path, fmt), batch_size=batch_size)


def test_import_then_reimport_changes_nothing(app, tmp_path):
    summary = run(app, dataset(tmp_path))
    assert summary.read == {"account": 2, "snapshot": 2, "follow": 2, "post": 1}
    assert summary.added == summary.read
    first = dump(app)
    assert ("x", "alice", "bob") in {row[:3] for row in first["follow"]}
    again = run(app, tmp_path, batch_size=1)
    assert again.added == {"account": 0, "snapshot": 0, "follow": 0, "post": 0}
    assert dump(app) == first


def test_upsert_updates_changed_values(app, tmp_path):
    run(app, dataset(tmp_path))
    write_csv(
        tmp_path / "accounts.csv", ["platform", "handle", "followers_count"], [["x", "alice", "99"]]
    )
    run(app, tmp_path / "accounts.csv")
    with get_db(app).engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT handle, followers_count FROM account")).all()
    assert sorted(rows) == [("alice", 99), ("bob", None)]


def test_unicode_and_sql_metacharacters_survive(app, tmp_path):
    run(app, dataset(tmp_path))
    with get_db(app).engine.connect() as conn:
        bio = conn.execute(sa.text("SELECT bio FROM account WHERE handle = 'alice'")).scalar()
        text = conn.execute(sa.text("SELECT text FROM post")).scalar()
    assert bio == "Zoë 🦊 <b>'; DROP TABLE account;--"
    assert text == "héllo\nworld"


def test_bad_row_in_a_later_file_rolls_everything_back(app, tmp_path):
    run(app, dataset(tmp_path))
    before = dump(app)
    write_csv(
        tmp_path / "accounts.csv", ["platform", "handle", "followers_count"], [["x", "carol", "1"]]
    )
    write_csv(
        tmp_path / "follows.csv",
        ["platform", "follower", "followee", "followed_at"],
        [["x", "carol", "alice", ""], ["x", "carol", "bob", "not a date"]],
    )
    with pytest.raises(FormatError) as info:
        run(app, tmp_path)
    assert info.value.line == 3 and info.value.source.endswith("follows.csv")
    assert dump(app) == before


@pytest.mark.parametrize("batch_size", [1, 2, 10_000])
def test_duplicate_key_in_one_file_names_both_lines(app, tmp_path, batch_size):
    follows = [["x", "a", "b", ""], ["x", "c", "d", ""], ["x", "A", "@B", ""]]
    dataset(tmp_path, follows=follows)
    before = dump(app)
    with pytest.raises(FormatError) as info:
        run(app, tmp_path, batch_size=batch_size)
    assert info.value.line == 4
    assert "duplicate follow" in info.value.reason and "first on line 2" in info.value.reason
    assert dump(app) == before


def test_instafake_rows_get_stable_keys(app, datasets_dir):
    path = datasets_dir / "instafake" / "accounts_train.csv"
    assert run(app, path, "instafake").added == {"account": 813}
    assert run(app, path, "instafake").added == {"account": 0}


def test_real_cresci_counts_by_label(app, datasets_dir):
    path = datasets_dir / "cresci-2015" / "users_train.csv"
    with path.open(newline="", encoding="utf-8") as f:
        labels = {row["screen_name"].lower(): row["label"] for row in csv.DictReader(f)}
    assert run(app, path, "twitter-v1").added == {"account": 3114}
    with get_db(app).engine.connect() as conn:
        handles = conn.execute(sa.text("SELECT handle FROM account WHERE platform = 'x'")).scalars()
        stored = [labels[h] for h in handles]
    assert len(stored) == 3114
    expected = {label: list(labels.values()).count(label) for label in ("human", "fake")}
    assert {label: stored.count(label) for label in ("human", "fake")} == expected
    assert expected["human"] > 0 and expected["fake"] > 0


HOSTILE = [
    (
        "accounts.csv",
        ["platform", "handle", "followers_count"],
        ["x", "carol", "99999999999999999999"],
        "too large",
    ),
    (
        "accounts.csv",
        ["platform", "handle", "followers_count"],
        ["x", "carol", "1e400"],
        "whole number",
    ),
    (
        "accounts.csv",
        ["platform", "handle", "created_at"],
        ["x", "carol", "2999-01-01"],
        "in the future",
    ),
    ("accounts.csv", ["platform", "handle"], ["x", "@"], "holds no handle"),
    ("accounts.csv", ["platform", "handle"], ["x", "ca rol"], "holds a space"),
    ("accounts.csv", ["platform", "handle"], ["mastodon", "carol"], "has no instance"),
    ("follows.csv", ["platform", "follower", "followee"], ["x", "carol", "<b>"], "holds HTML"),
    (
        "users.csv",
        ["screen_name", "followers_count", "friends_count", "statuses_count", "created_at"],
        ["a" * 300, "1", "1", "1", "Fri Apr 06 10:58:22 +0000 2007"],
        "longer than 15",
    ),
]


@pytest.mark.parametrize(("name", "header", "row", "reason"), HOSTILE, ids=lambda v: str(v)[:20])
def test_hostile_rows_are_one_line_exit_2_and_rolled_back(app, tmp_path, name, header, row, reason):
    """Issue 15: each was a traceback (OverflowError, NumericValueOutOfRange) or was kept."""
    run(app, dataset(tmp_path / "good"))
    before = dump(app)
    bad = tmp_path / "bad"
    if name == "follows.csv":  # a good file first, imported in the same transaction
        write_csv(bad / "accounts.csv", ["platform", "handle"], [["x", "dave"]])
    write_csv(bad / name, header, [row])
    fmt = "twitter-v1" if name == "users.csv" else "genuine"
    path = bad if name == "follows.csv" else bad / name
    result = app.test_cli_runner().invoke(cli, ["import", str(path), "--format", fmt])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.strip().splitlines() if line.strip()]
    assert lines[-1].count("\n") == 0 and f"{name}, line 2" in lines[-1] and reason in lines[-1]
    assert "Traceback" not in result.output
    assert dump(app) == before
