"""genuine.spark.input.load_input: every accepted layout gives the same columns and types,
and every bad input is one line naming the file or folder (real Spark, shared session)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from genuine.commands import UserError
from genuine.spark.input import load_input

T0 = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)


def write(path: Path, **columns) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(columns), path)
    return path


def rows(df) -> list[tuple]:
    return sorted(tuple(r) for r in df.collect())


def export_layout(root: Path) -> Path:
    stamp = pa.timestamp("us", tz="UTC")
    write(
        root / "follows/platform=x/part-00000.parquet",
        follower=pa.array(["a", "b", "c"]),
        followee=pa.array(["b", "a", "a"]),
        followed_at=pa.array([T0, None, T0], stamp),
    )
    write(
        root / "follows/platform=bluesky/part-00000.parquet",
        follower=pa.array(["p.example"]),
        followee=pa.array(["q.example"]),
        followed_at=pa.array([None], stamp),
    )
    write(
        root / "accounts/platform=x/part-00000.parquet",
        handle=pa.array(["a", "b"]),
        bio=pa.array(["#F4F", None]),
        created_at=pa.array([T0, None], stamp),
    )
    return root


def test_export_layout(spark, tmp_path):
    entries = load_input(spark, export_layout(tmp_path / "e"), None)
    assert [e[0] for e in entries] == ["bluesky", "x"]
    (_, _, blue_a), (_, x_f, x_a) = entries
    assert blue_a is None
    assert x_f.columns == ["follower", "followee", "followed_at"]
    assert dict(x_f.dtypes) == {"follower": "string", "followee": "string", "followed_at": "double"}
    t = T0.timestamp()
    assert rows(x_f) == sorted([("a", "b", t), ("b", "a", None), ("c", "a", t)], key=str)
    assert dict(x_a.dtypes) == {"handle": "string", "bio": "string", "created_at": "double"}
    assert rows(x_a) == [("a", "#F4F", t), ("b", None, None)]
    [(name, only, _)] = load_input(spark, tmp_path / "e", "bluesky")
    assert name == "bluesky" and rows(only) == [("p.example", "q.example", None)]


def test_parquet_file_with_platform_and_integer_ids(spark, tmp_path):
    f = write(
        tmp_path / "f.parquet",
        platform=pa.array(["x", "x", "mastodon"]),
        follower=pa.array([1, 2, 1], pa.int32()),
        followee=pa.array([2, 1, 3], pa.int32()),
        followed_at=pa.array([100, None, 7], pa.int64()),
    )
    (m_name, m, m_acc), (x_name, x, _) = load_input(spark, f, None)
    assert (m_name, x_name, m_acc) == ("mastodon", "x", None)
    assert dict(x.dtypes) == {"follower": "bigint", "followee": "bigint", "followed_at": "double"}
    assert rows(x) == [(1, 2, 100.0), (2, 1, None)] and rows(m) == [(1, 3, 7.0)]


def test_folder_of_files_without_platform_needs_one(spark, tmp_path):
    for i in range(2):
        write(
            tmp_path / "d" / f"p{i}.parquet",
            follower=pa.array([10 * i + 1], pa.int64()),
            followee=pa.array([10 * i + 2], pa.int64()),
            followed_at=pa.array([1.5 + i]),
        )
    [(name, df, _)] = load_input(spark, tmp_path / "d", "instagram")
    assert name == "instagram" and rows(df) == [(1, 2, 1.5), (11, 12, 2.5)]
    with pytest.raises(UserError, match="no platform column; name the platform"):
        load_input(spark, tmp_path / "d", None)


def test_naive_timestamps_are_utc(spark, tmp_path):
    naive = T0.replace(tzinfo=None)
    f = write(
        tmp_path / "n.parquet",
        follower=pa.array(["a"]),
        followee=pa.array(["b"]),
        followed_at=pa.array([naive], pa.timestamp("us")),
    )
    [(_, df, _)] = load_input(spark, f, "x")
    assert rows(df) == [("a", "b", T0.timestamp())]


def test_dataset_folder_with_csv(spark, tmp_path):
    (tmp_path / "follows.csv").write_text(
        "platform,follower,followee,followed_at\nx,a,b,2024-01-02T03:04:05Z\nx,b,a,\n"
    )
    (tmp_path / "accounts.csv").write_text("platform,handle,bio,created_at\nx,b,#F4F,\n")
    [(name, follows, accounts)] = load_input(spark, tmp_path, None)
    assert name == "x"
    assert dict(follows.dtypes) == {
        "follower": "string",
        "followee": "string",
        "followed_at": "double",
    }
    assert rows(follows) == [("a", "b", T0.timestamp()), ("b", "a", None)]
    assert rows(accounts) == [("a", None, None), ("b", "#F4F", None)]


def test_synthetic_csv_round_trip(spark, tmp_path):
    from genuine.synthetic import graphs

    g = graphs.generate(n_follows=3_000, follows_per_ring=1_000, seed=5)
    g.write_dataset(tmp_path, platform="x")
    [(_, follows, _)] = load_input(spark, tmp_path, None)
    got = {(int(a[4:]), int(b[4:])) for a, b, _ in follows.collect()}
    assert got == set(zip(g.follower.tolist(), g.followee.tolist(), strict=True))


def bad(tmp_path: Path, **columns) -> Path:
    return write(tmp_path / "bad.parquet", **columns)


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ({"follower": ["a"]}, r"bad\.parquet: no followee column"),
        ({"follower": [True], "followee": [False]}, "follower is boolean; ids are strings"),
        ({"follower": [1.0], "followee": [2.0]}, "follower is double; ids are strings"),
        ({"follower": ["a"], "followee": [2]}, "follower is string, followee is bigint"),
        (
            {"follower": ["a"], "followee": ["b"], "followed_at": ["yesterday"]},
            "followed_at is string; want a timestamp",
        ),
        (
            {"follower": pa.array([], pa.string()), "followee": pa.array([], pa.string())},
            "no follows",
        ),
        (
            {"follower": ["a", "b", "c"], "followee": ["a", "c", "c"]},
            r"2 self-follows \(e\.g\. a -> a\)",
        ),
        (
            {"follower": [1, 2, 1, 1, 3], "followee": [2, 1, 2, 2, 1]},
            r"2 duplicate follows \(e\.g\. 1 -> 2\)",
        ),
        ({"follower": ["a", None], "followee": ["b", "c"]}, "1 follows without a follower"),
    ],
)
def test_bad_parquet_is_one_line(spark, tmp_path, columns, message):
    path = bad(tmp_path, **columns)
    with pytest.raises(UserError, match=message) as caught:
        load_input(spark, path, "x")
    text = caught.value.format_message()
    assert "\n" not in text and str(path) in text


def test_bad_paths_and_platforms(spark, tmp_path):
    with pytest.raises(UserError, match="unknown platform 'moon'"):
        load_input(spark, tmp_path, "moon")
    with pytest.raises(UserError, match="no such file or folder"):
        load_input(spark, tmp_path / "nope", None)
    (tmp_path / "empty").mkdir()
    with pytest.raises(UserError, match="not a `genuine export follows` folder"):
        load_input(spark, tmp_path / "empty", None)
    root = export_layout(tmp_path / "e")
    with pytest.raises(UserError, match="no follows for platform mastodon"):
        load_input(spark, root, "mastodon")
    write(root / "follows/platform=moon/p.parquet", follower=["a"], followee=["b"])
    with pytest.raises(UserError, match="platform=moon: unknown platform 'moon'"):
        load_input(spark, root, None)


def test_accounts_handle_type_must_match(spark, tmp_path):
    write(tmp_path / "follows/platform=x/a.parquet", follower=[1], followee=[2])
    write(tmp_path / "accounts/platform=x/a.parquet", handle=["one"], bio=["hi"])
    with pytest.raises(UserError, match="handle is string but follower is bigint"):
        load_input(spark, tmp_path, None)


def test_check_false_skips_the_aggregate_pass(spark, tmp_path):
    path = bad(tmp_path, follower=np.array([1, 1]), followee=np.array([1, 1]))
    [(_, df, _)] = load_input(spark, path, "x", check=False)
    assert df.count() == 2


def test_reads_what_genuine_export_follows_wrote(spark, app, tmp_path):
    """The store (SQLite and PostgreSQL) -> `genuine export follows` -> load_input: the same
    follows, times and bios as the in-process reader of the dataset folder imported."""
    from genuine.cards.folder import load_follows_from_folder
    from genuine.commands.export import export
    from genuine.db import get_db
    from genuine.formats import read
    from genuine.importing import import_records
    from genuine.synthetic import graphs

    g = graphs.generate(n_follows=2_000, follows_per_ring=800, seed=8)
    g.write_dataset(tmp_path / "d", platform="bluesky")
    import_records(get_db(app).engine, read(tmp_path / "d", "genuine", None), batch_size=5000)
    result = app.test_cli_runner().invoke(export, ["follows", "--output", str(tmp_path / "p")])
    assert result.exit_code == 0, result.output
    [(name, follows, accounts)] = load_input(spark, tmp_path / "p", None)
    [csv] = load_follows_from_folder(tmp_path / "d", None)
    h = csv.handles.astype(str)
    expected = sorted(
        zip(
            h[csv.follower].tolist(),
            h[csv.followee].tolist(),
            csv.followed_at.tolist(),
            strict=True,
        )
    )
    assert name == "bluesky" and rows(follows) == expected
    want = sorted(zip(h.tolist(), csv.bios.tolist(), csv.created_at.tolist(), strict=True))
    got = rows(accounts)  # every account the store holds, followed or not
    assert len(got) == g.n_nodes
    assert [r for r in got if r[0] in set(h.tolist())] == want
