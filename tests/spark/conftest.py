"""A SparkSession shared by the Spark tests (local[2]); skipped without pyspark or Java."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import skip_or_fail


@pytest.fixture(scope="session")
def spark():
    try:
        import pyspark  # noqa: F401
    except ImportError:
        skip_or_fail("pyspark not installed (pip install -e '.[spark]')", "GENUINE_REQUIRE_SPARK")
    if shutil.which("java") is None:
        skip_or_fail("no Java (apt-get install openjdk-17-jre-headless)", "GENUINE_REQUIRE_SPARK")
    from genuine.spark.session import spark_session

    with spark_session("local[2]", shuffle_partitions=2) as session:
        yield session
