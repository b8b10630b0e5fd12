"""The SparkSession of the ring engine: local mode by default, clear errors when pyspark or
Java is missing.

`spark_session()` is a context manager: master `local[2]` unless GENUINE_SPARK_MASTER or the
argument says otherwise, no web UI, UTC session time zone, a few shuffle partitions (local
mode has few cores; GENUINE_SPARK_SHUFFLE_PARTITIONS overrides), driver memory from
GENUINE_SPARK_DRIVER_MEMORY (default 4g), log level WARN, and a temporary folder for Spark's
scratch files and checkpoints (`df.checkpoint()`, to cut long lineages in iterative loops),
removed with the session on exit.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from genuine.errors import UserError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

DEFAULT_MASTER = "local[2]"
DEFAULT_DRIVER_MEMORY = "4g"
DEFAULT_SHUFFLE_PARTITIONS = 8
JAVA_MISSING = (
    "Java not found (JAVA_HOME or java on PATH): Spark needs Java 17, "
    "apt-get install openjdk-17-jre-headless"
)


def java_binary() -> str | None:
    """The java Spark will start: $JAVA_HOME/bin/java when JAVA_HOME is set, else PATH's."""
    home = os.environ.get("JAVA_HOME")
    if home:
        candidate = Path(home) / "bin" / "java"
        return str(candidate) if candidate.is_file() else None
    return shutil.which("java")


def check_spark() -> None:
    """UserError when pyspark cannot be imported or Java cannot be found."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise UserError("pyspark is not installed: pip install -e '.[spark]'") from None
    if java_binary() is None:
        raise UserError(JAVA_MISSING)


def _shuffle_partitions(value: int | None) -> int:
    if value is not None:
        return value
    raw = os.environ.get("GENUINE_SPARK_SHUFFLE_PARTITIONS", "")
    try:
        return int(raw) if raw else DEFAULT_SHUFFLE_PARTITIONS
    except ValueError:
        raise UserError(f"GENUINE_SPARK_SHUFFLE_PARTITIONS={raw!r} is not a number") from None


@contextmanager
def spark_session(
    master: str | None = None,
    shuffle_partitions: int | None = None,
    conf: dict[str, str] | None = None,
) -> Iterator[SparkSession]:
    """A SparkSession for the ring engine, stopped (and its scratch folder removed) on exit.

    `conf` adds Spark settings (the tests' small-data settings, say). Inside a running Spark
    application (spark-submit, a notebook, the tests) its active session is used as it is
    and left running."""
    check_spark()
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        yield active
        return

    master = master or os.environ.get("GENUINE_SPARK_MASTER") or DEFAULT_MASTER
    memory = os.environ.get("GENUINE_SPARK_DRIVER_MEMORY") or DEFAULT_DRIVER_MEMORY
    scratch = Path(tempfile.mkdtemp(prefix="genuine-spark-"))
    try:
        builder = SparkSession.builder
        for key, value in (conf or {}).items():
            builder = builder.config(key, value)
        session = (
            builder.master(master)
            .appName("genuine-rings")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", str(_shuffle_partitions(shuffle_partitions)))
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.driver.memory", memory)
            .config("spark.local.dir", str(scratch / "local"))
            .config("spark.sql.warehouse.dir", str(scratch / "warehouse"))
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .getOrCreate()
        )
        try:
            session.sparkContext.setLogLevel("WARN")
            session.sparkContext.setCheckpointDir(str(scratch / "checkpoints"))
            yield session
        finally:
            session.stop()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
