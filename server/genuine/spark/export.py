"""The store's follow graph as Parquet: what `genuine export follows` and the scheduled ring
run on Spark (GENUINE_RINGS_ENGINE=spark) write for the Spark engine (layout and rules: the
`genuine.commands.export` docstring). Needs pyarrow only, not Spark.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from genuine.errors import UserError
from genuine.models import Account, Follow

BATCH = 100_000
FILE_NAME = "part-00000.parquet"


def pyarrow_module():
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise UserError("pyarrow is not installed: pip install -e '.[spark]'") from None
    return pyarrow


def _utc(values: Sequence[datetime | None]) -> list[datetime | None]:
    """The store keeps naive UTC datetimes (SQLite and PostgreSQL alike): say so."""
    return [v.replace(tzinfo=UTC) if v is not None and v.tzinfo is None else v for v in values]


def _write_table(
    conn: sa.Connection,
    query: sa.Select,
    folder: Path,
    names: tuple[str, ...],
    types: tuple[Any, ...],
) -> tuple[int, int]:
    """Stream `query` (platform first, then `names`, ordered by platform) into one Parquet
    file per platform under `folder`; returns (rows, files)."""
    pa = pyarrow_module()
    schema = pa.schema(list(zip(names, types, strict=True)))
    writer, current, rows, files = None, None, 0, 0
    result = conn.execution_options(stream_results=True, yield_per=BATCH).execute(query)
    try:
        for part in result.partitions():
            columns = list(zip(*part, strict=True))
            platforms = columns[0]
            start = 0
            while start < len(platforms):  # a batch may straddle two platforms
                platform = platforms[start]
                end = start
                while end < len(platforms) and platforms[end] == platform:
                    end += 1
                if platform != current:
                    if writer is not None:
                        writer.close()
                    out = folder / f"platform={platform}"
                    out.mkdir(parents=True)
                    writer = pa.parquet.ParquetWriter(out / FILE_NAME, schema)
                    current, files = platform, files + 1
                arrays = []
                for values, kind in zip(columns[1:], types, strict=True):
                    chunk = values[start:end]
                    if pa.types.is_timestamp(kind):
                        chunk = _utc(chunk)
                    arrays.append(pa.array(chunk, type=kind))
                writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
                rows += end - start
                start = end
    finally:
        result.close()  # a server-side cursor on PostgreSQL: closed even when writing fails
        if writer is not None:
            writer.close()
    return rows, files


def export_follows(engine: sa.Engine, output: Path, platform: str | None) -> dict[str, int]:
    """Write follows and accounts under `output` (a new folder); returns the counts."""
    pa = pyarrow_module()
    f, a = Follow.__table__, Account.__table__
    fq = sa.select(f.c.platform, f.c.follower, f.c.followee, f.c.followed_at)
    aq = sa.select(a.c.platform, a.c.handle, a.c.bio, a.c.created_at)
    if platform:
        fq, aq = fq.where(f.c.platform == platform), aq.where(a.c.platform == platform)
    fq = fq.order_by(f.c.platform, f.c.follower, f.c.followee)
    aq = aq.order_by(a.c.platform, a.c.handle)
    stamp = pa.timestamp("us", tz="UTC")
    (output / "follows").mkdir()
    (output / "accounts").mkdir()
    with engine.connect() as conn:
        follows, follow_files = _write_table(
            conn,
            fq,
            output / "follows",
            ("follower", "followee", "followed_at"),
            (pa.string(), pa.string(), stamp),
        )
        accounts, account_files = _write_table(
            conn,
            aq,
            output / "accounts",
            ("handle", "bio", "created_at"),
            (pa.string(), pa.string(), stamp),
        )
    return {"follows": follows, "accounts": accounts, "files": follow_files + account_files}
