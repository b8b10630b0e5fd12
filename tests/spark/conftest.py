"""A SparkSession shared by the Spark tests (local[2]); skipped without pyspark or Java."""

from __future__ import annotations

import pytest

from tests.conftest import skip_or_fail

# Test graphs are tiny: compiling whole stages, re-planning adaptively and sorting for joins
# cost more than the work. Results do not depend on these (the parity tests compare exactly).
SMALL_DATA = {
    "spark.sql.codegen.wholeStage": "false",
    "spark.sql.adaptive.enabled": "false",
    "spark.sql.join.preferSortMergeJoin": "false",
    "spark.sql.defaultSizeInBytes": "100000",
}


@pytest.fixture(scope="session")
def spark():
    try:
        import pyspark  # noqa: F401
    except ImportError:
        skip_or_fail("pyspark not installed (pip install -e '.[spark]')", "GENUINE_REQUIRE_SPARK")
    from genuine.spark.session import java_binary, spark_session

    if java_binary() is None:
        skip_or_fail("no Java (apt-get install openjdk-17-jre-headless)", "GENUINE_REQUIRE_SPARK")
    with spark_session("local[2]", shuffle_partitions=2, conf=SMALL_DATA) as session:
        yield session
