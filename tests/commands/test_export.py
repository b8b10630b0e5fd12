"""`genuine export follows` on SQLite and PostgreSQL: a SYNTHETIC dataset imported into the
store comes back as Parquet, row for row, and failures leave no half-written folder."""

from __future__ import annotations

from datetime import datetime

import pyarrow.parquet as pq
import pytest

from genuine.commands.export import export
from genuine.synthetic import graphs


def store(app, tmp_path, platform: str = "x", n: int = 3_000, seed: int = 3):
    from genuine.db import get_db
    from genuine.formats import read
    from genuine.importing import import_records

    g = graphs.generate(n_follows=n, follows_per_ring=1_000, seed=seed)
    folder = tmp_path / "data" / platform
    g.write_dataset(folder, platform=platform)
    import_records(get_db(app).engine, read(folder, "genuine", None), batch_size=5000)
    return g


def leftovers(tmp_path) -> list[str]:
    """What the export left in the work folder (the store lives beside it in tmp_path)."""
    return sorted(p.name for p in (tmp_path / "w").iterdir())


@pytest.fixture(autouse=True)
def work(tmp_path):
    (tmp_path / "w").mkdir()


def run(app, *args: str):
    return app.test_cli_runner().invoke(export, ["follows", *args])


def follows_of(g: graphs.SynthGraph, suffix: str = "") -> set[tuple[str, str, float]]:
    at = g.followed_at.astype("datetime64[s]").astype("int64").astype(float)
    return {
        (f"user{a}{suffix}", f"user{b}{suffix}", t)
        for a, b, t in zip(g.follower.tolist(), g.followee.tolist(), at.tolist(), strict=True)
    }


def test_exports_every_follow_and_account(app, tmp_path):
    g = store(app, tmp_path)
    out = tmp_path / "w" / "out"
    result = run(app, "--output", str(out))
    assert result.exit_code == 0, result.output
    line = result.output.strip()
    assert f"{g.n_follows:,} follows and {g.n_nodes:,} accounts in 2 files" in line
    assert "\n" not in line and "bytes" in line
    table = pq.read_table(out / "follows/platform=x/part-00000.parquet")
    assert str(table.schema.field("followed_at").type) == "timestamp[us, tz=UTC]"
    got = {
        (a, b, t.timestamp())
        for a, b, t in zip(*(table[c].to_pylist() for c in table.column_names), strict=True)
    }
    assert got == follows_of(g)
    acc = pq.read_table(out / "accounts/platform=x/part-00000.parquet").to_pylist()
    assert len(acc) == g.n_nodes
    bios = {r["handle"]: r["bio"] for r in acc}
    assert bios["user0"] == (g.bios[0] or None)
    assert all(isinstance(r["created_at"], datetime) for r in acc)
    assert acc[0]["created_at"].tzinfo is not None
    assert leftovers(tmp_path) == ["out"]  # no temporary folder left


def test_batches_and_platforms(app, tmp_path, monkeypatch):
    from genuine.spark import export as module

    monkeypatch.setattr(module, "BATCH", 700)  # several row groups, batches across platforms
    gx = store(app, tmp_path, "x", seed=3)
    gm = store(app, tmp_path, "mastodon", seed=4)
    out = tmp_path / "w" / "out"
    assert run(app, "--output", str(out)).exit_code == 0
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*.parquet"))
    assert files == [
        f"{kind}/platform={p}/part-00000.parquet"
        for kind in ("accounts", "follows")
        for p in ("mastodon", "x")
    ]
    x = pq.ParquetFile(out / "follows/platform=x/part-00000.parquet")
    assert x.metadata.num_rows == gx.n_follows and x.metadata.num_row_groups > 1
    m = pq.read_table(out / "follows/platform=mastodon/part-00000.parquet").to_pylist()
    assert {(r["follower"], r["followee"]) for r in m} == {
        (a, b) for a, b, _ in follows_of(gm, "@synthetic.example")
    }
    only = tmp_path / "w" / "only"
    result = run(app, "--output", str(only), "--platform", "mastodon")
    assert result.exit_code == 0 and f"{gm.n_follows:,} follows" in result.output
    assert sorted(p.name for p in (only / "follows").iterdir()) == ["platform=mastodon"]


def test_refuses_a_non_empty_folder_unless_forced(app, tmp_path):
    store(app, tmp_path, n=1_000)
    out = tmp_path / "w" / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    result = run(app, "--output", str(out))
    assert result.exit_code == 2 and "not empty (--force replaces it)" in result.output
    assert (out / "keep.txt").is_file()
    assert run(app, "--output", str(out), "--force").exit_code == 0
    assert not (out / "keep.txt").exists() and (out / "follows/platform=x").is_dir()
    assert leftovers(tmp_path) == ["out"]
    empty = tmp_path / "w" / "empty"
    empty.mkdir()
    assert run(app, "--output", str(empty)).exit_code == 0


def test_failure_leaves_nothing(app, tmp_path, monkeypatch):
    from genuine.spark import export as module

    store(app, tmp_path, n=1_000)

    def broken(values):
        raise RuntimeError("disk full")

    monkeypatch.setattr(module, "_utc", broken)
    result = run(app, "--output", str(tmp_path / "w" / "out"))
    assert result.exit_code != 0 and isinstance(result.exception, RuntimeError)
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--output", "{tmp}/w/no/such/out"], "does not exist"),
        (["--output", "{tmp}/w/out", "--platform", "moon"], "unknown platform 'moon'"),
        (["--output", "{tmp}/file.txt"], "exists and is not a folder"),
    ],
)
def test_user_errors_are_one_line(app, tmp_path, args, message):
    (tmp_path / "file.txt").write_text("x")
    result = run(app, *[a.format(tmp=tmp_path) for a in args])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]


def test_unmigrated_store(tmp_path):
    from genuine import create_app

    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'raw.sqlite'}",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": "test",
        }
    )
    result = run(app, "--output", str(tmp_path / "w" / "out"))
    assert result.exit_code == 2 and "genuine db upgrade" in result.output
    assert not (tmp_path / "w" / "out").exists()
    app.extensions["genuine.db"].engine.dispose()


def test_empty_store_exports_empty_folders(app, tmp_path):
    result = run(app, "--output", str(tmp_path / "w" / "out"))
    assert result.exit_code == 0 and "0 follows and 0 accounts in 0 files" in result.output
    assert sorted(p.name for p in (tmp_path / "w" / "out").iterdir()) == ["accounts", "follows"]


def test_without_pyarrow(app, tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "pyarrow", None)
    result = run(app, "--output", str(tmp_path / "w" / "out"))
    assert result.exit_code == 2 and "pip install -e '.[spark]'" in result.output
    assert not (tmp_path / "w" / "out").exists()
