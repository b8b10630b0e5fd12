"""`genuine rings` on a SYNTHETIC dataset folder (genuine.synthetic.graphs), and on the store."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from genuine.cards.folder import load_follows_from_folder
from genuine.cards.load import load_follows_from_db
from genuine.commands.rings import rings
from genuine.synthetic import graphs


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    g = graphs.generate(n_follows=30_000, follows_per_ring=5_000, seed=2)
    folder = tmp_path_factory.mktemp("ringdata")
    g.write_dataset(folder, platform="x")
    return g, folder


def run(*args: str):
    return CliRunner().invoke(rings, list(args))


def test_writes_rings_json(dataset, tmp_path):
    g, folder = dataset
    out = tmp_path / "rings.json"
    result = run("--input", str(folder), "--output", str(out))
    assert result.exit_code == 0, result.output
    assert "rings" in result.output and str(out) in result.output
    doc = json.loads(out.read_text())
    assert set(doc) == {"rings"} and doc["rings"]
    flagged = set()
    for ring in doc["rings"]:
        assert {"id", "members", "size", "density"} <= set(ring)
        assert ring["size"] == len(ring["members"]) and 0 < ring["density"] <= 1
        assert ring["platform"] == "x" and ring["id"].startswith("ring-")
        assert all(isinstance(m, str) and m.startswith("user") for m in ring["members"])
        assert set(ring["evidence"]) == set(ring["members"])
        flagged.update(int(m[4:]) for m in ring["members"])
    truth = set(np.flatnonzero(g.ring_of >= 0).tolist())
    assert len(flagged & truth) >= 0.95 * len(flagged)
    assert len(flagged & truth) >= 0.85 * len(truth)
    assert not flagged & set(np.flatnonzero(g.community_of >= 0).tolist())
    sizes = [r["size"] for r in doc["rings"]]
    assert sizes == sorted(sizes, reverse=True)


def test_same_ids_on_rerun(dataset, tmp_path):
    _, folder = dataset
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    assert run("--input", str(folder), "--output", str(a)).exit_code == 0
    assert run("--input", str(folder), "--output", str(b)).exit_code == 0
    assert a.read_text() == b.read_text()


def test_platform_filter(tmp_path):
    (tmp_path / "follows.csv").write_text(
        "platform,follower,followee\nx,a,b\nbluesky,c.example,d.example\nbluesky,d.example,c.example\n"
    )
    parts = load_follows_from_folder(tmp_path, "bluesky")
    assert [p.platform for p in parts] == ["bluesky"]
    assert parts[0].handles.tolist() == ["c.example", "d.example"]
    out = tmp_path / "out.json"
    result = run("--input", str(tmp_path), "--platform", "bluesky", "--output", str(out))
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text()) == {"rings": []}


def test_accounts_csv_gives_bios(tmp_path):
    (tmp_path / "follows.csv").write_text("platform,follower,followee\nx,a,b\nx,b,a\n")
    (tmp_path / "accounts.csv").write_text(
        "platform,handle,bio,created_at\nx,B,#F4F,2020-01-01T00:00:00Z\nx,zed,hi,\n"
    )
    [part] = load_follows_from_folder(tmp_path, None)
    assert part.bios.tolist() == [None, "#F4F"]
    assert np.isnan(part.created_at[0]) and part.created_at[1] == 1577836800


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda d: None, "no follows.csv"),
        (lambda d: (d / "follows.csv").write_text("platform,follower\nx,a\n"), "followee"),
        (
            lambda d: (d / "follows.csv").write_text("platform,follower,followee\nmoon,a,b\n"),
            "line 2",
        ),
    ],
)
def test_user_errors_are_one_line_exit_2(tmp_path, setup, message):
    setup(tmp_path)
    result = run("--input", str(tmp_path), "--output", str(tmp_path / "o.json"))
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]
    assert not (tmp_path / "o.json").exists()


def test_missing_input_folder_and_output_folder(tmp_path):
    result = run("--input", str(tmp_path / "nope"), "--output", str(tmp_path / "o.json"))
    assert result.exit_code == 2 and "no such folder" in result.output
    result = run("--input", str(tmp_path), "--output", str(tmp_path / "x" / "o.json"))
    assert result.exit_code == 2 and "does not exist" in result.output


def test_database_path(app, tmp_path):
    from genuine.db import get_db
    from genuine.formats import read
    from genuine.importing import import_records

    g = graphs.generate(n_follows=6_000, follows_per_ring=3_000, seed=4)
    g.write_dataset(tmp_path / "d", platform="mastodon")
    engine = get_db(app).engine
    import_records(engine, read(tmp_path / "d", "genuine", None), batch_size=5000)
    [from_db] = load_follows_from_db(engine, None)
    [from_csv] = load_follows_from_folder(tmp_path / "d", None)
    assert from_db.handles.tolist() == from_csv.handles.tolist()
    assert sorted(zip(from_db.follower.tolist(), from_db.followee.tolist(), strict=True)) == sorted(
        zip(from_csv.follower.tolist(), from_csv.followee.tolist(), strict=True)
    )
    out = tmp_path / "db.json"
    result = app.test_cli_runner().invoke(rings, ["--output", str(out)])
    assert result.exit_code == 0, result.output
    expected = tmp_path / "csv.json"
    assert run("--input", str(tmp_path / "d"), "--output", str(expected)).exit_code == 0
    assert json.loads(out.read_text()) == json.loads(expected.read_text())


def test_platform_names_a_file_without_platform_column(tmp_path):
    (tmp_path / "follows.csv").write_text(
        "follower,followee\na@m.example,b@m.example\nb@m.example,a@m.example\n"
    )
    [part] = load_follows_from_folder(tmp_path, "mastodon")
    assert part.platform == "mastodon" and part.follower.size == 2
    result = run("--input", str(tmp_path), "--platform", "moon", "--output", str(tmp_path / "o"))
    assert result.exit_code == 2 and "unknown platform" in result.output
