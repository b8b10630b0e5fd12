"""genuine.spark.session: the shared local session's settings, and the errors without
pyspark or Java."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from genuine.commands import UserError
from genuine.spark import session as spark_module


def test_session_runs_a_job_with_local_settings(spark):
    assert spark.range(1000).selectExpr("sum(id) AS s").first()["s"] == 499_500
    conf = spark.conf
    assert conf.get("spark.sql.session.timeZone") == "UTC"
    assert conf.get("spark.ui.enabled") == "false"
    assert int(conf.get("spark.sql.shuffle.partitions")) <= 16
    assert spark.sparkContext.master == "local[2]"


def test_checkpoint_dir_is_a_scratch_folder(spark):
    folder = spark.sparkContext.getCheckpointDir()
    assert folder is not None and "genuine-spark-" in folder
    df = spark.range(10).checkpoint()
    assert df.count() == 10
    assert Path(folder.removeprefix("file:")).is_dir()


def test_missing_java_is_one_clear_line(monkeypatch, tmp_path):
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "no-jdk"))
    with pytest.raises(UserError, match="openjdk-17-jre-headless"):
        spark_module.check_spark()
    monkeypatch.delenv("JAVA_HOME")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(UserError, match="Java not found"), spark_module.spark_session():
        pass


def test_missing_pyspark_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "pyspark", None)  # import pyspark raises ImportError
    with pytest.raises(UserError, match=r"pip install -e '\.\[spark\]'"):
        spark_module.check_spark()


def test_bad_shuffle_partitions_setting(monkeypatch):
    monkeypatch.setenv("GENUINE_SPARK_SHUFFLE_PARTITIONS", "many")
    with pytest.raises(UserError, match="GENUINE_SPARK_SHUFFLE_PARTITIONS"):
        spark_module._shuffle_partitions(None)
    monkeypatch.setenv("GENUINE_SPARK_SHUFFLE_PARTITIONS", "3")
    assert spark_module._shuffle_partitions(None) == 3
