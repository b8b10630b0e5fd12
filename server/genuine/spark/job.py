"""The Spark ring engine run on files: what `genuine rings --engine spark` and the daily
Bluesky ring run (RINGS_ENGINE=spark) call. pyspark is imported only once `check_spark` has
found it and Java, so a missing extra is one clear line, not an ImportError."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from genuine.signals.rings import RingResult
from genuine.spark.session import check_spark


def rings_at(
    path: Path, platform: str | None, master: str | None = None, check: bool = True
) -> list[tuple[str, np.ndarray | None, RingResult, int]]:
    """(platform, account names or None for integer ids, result, follows) per platform at
    `path` (see `genuine.spark.input.load_input`; `check` its aggregate pass)."""
    check_spark()
    from genuine.spark.engine import detect
    from genuine.spark.input import load_input
    from genuine.spark.session import spark_session

    out = []
    with spark_session(master) as spark:
        for name, follows, accounts in load_input(spark, path, platform, check=check):
            result, names = detect(follows, accounts, prefix=name)
            out.append((name, names, result, follows.count()))
    return out
