"""`genuine rings --engine spark` from the command line: the same JSON as the in-process
engine on a dataset folder and on a `genuine export follows`-style Parquet folder, and bad
input as one line with exit status 2."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from genuine.commands.rings import rings
from genuine.synthetic import graphs

pytestmark = pytest.mark.slow


def run(*args: str):
    return CliRunner().invoke(rings, list(args))


def test_same_json_as_inprocess_on_a_dataset_folder(spark, tmp_path):
    g = graphs.generate(n_follows=20_000, follows_per_ring=5_000, seed=2)
    g.write_dataset(tmp_path / "d", platform="bluesky")
    outs = {}
    for engine in ("inprocess", "spark"):
        outs[engine] = tmp_path / f"{engine}.json"
        result = run("--engine", engine, "--input", str(tmp_path / "d"),
                     "--output", str(outs[engine]))  # fmt: skip
        assert result.exit_code == 0, result.output
    ref = json.loads(outs["inprocess"].read_text())
    assert ref["rings"] and all(r["platform"] == "bluesky" for r in ref["rings"])
    assert json.loads(outs["spark"].read_text()) == ref


def test_bad_parquet_is_one_line_and_exit_2(spark, tmp_path):
    pq.write_table(pa.table({"follower": ["a", "b"], "target": ["b", "a"]}), tmp_path / "f.parquet")
    result = run("--engine", "spark", "--input", str(tmp_path / "f.parquet"), "--platform", "x",
                 "--output", str(tmp_path / "o.json"))  # fmt: skip
    assert result.exit_code == 2
    assert "followee" in result.output and len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "o.json").exists()


def test_spark_engine_needs_files(tmp_path):
    result = run("--engine", "spark", "--output", str(tmp_path / "o.json"))
    assert result.exit_code == 2 and "genuine export follows" in result.output
    result = run("--master", "local[1]", "--output", str(tmp_path / "o.json"))
    assert result.exit_code == 2 and "--engine spark" in result.output
