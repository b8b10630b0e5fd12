"""`genuine export follows`: the store's follow graph as Parquet, for the Spark ring engine.

The layout, Hive-partitioned by platform (what `genuine.spark.input.load_input` reads):

    DIR/follows/platform=P/part-00000.parquet   follower, followee (string),
                                                followed_at (timestamp[us, UTC], null unknown)
    DIR/accounts/platform=P/part-00000.parquet  handle, bio (string), created_at (timestamp)

Rows are streamed from the database in primary-key order (`yield_per`, 100k rows a batch,
one row group per batch), so the table is never held in memory; the store already refuses
self-follows and duplicate follows, so neither appears. Everything is written into a
temporary folder beside DIR, renamed to DIR at the end: a failed export leaves nothing.
An existing non-empty DIR is refused unless --force, which replaces it only once the new
export is complete. pyarrow comes with the `spark` extra.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from genuine.commands import UserError
from genuine.handles import PLATFORMS
from genuine.models import Account, Follow

BATCH = 100_000
FILE_NAME = "part-00000.parquet"


def _pyarrow():
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
    pa = _pyarrow()
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
    pa = _pyarrow()
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


def _bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _checked_output(output: Path, force: bool) -> None:
    parent = output.absolute().parent
    if not parent.is_dir():
        raise UserError(f"{output}: the folder {parent} does not exist")
    if output.exists() and not output.is_dir():
        raise UserError(f"{output}: exists and is not a folder")
    if output.is_dir() and any(output.iterdir()) and not force:
        raise UserError(f"{output}: folder exists and is not empty (--force replaces it)")


def _replace(tmp: Path, output: Path) -> None:
    """Move the finished export to `output`, the old folder (if any) out of the way first."""
    old: Path | None = None
    if output.exists():
        old = Path(tempfile.mkdtemp(dir=output.absolute().parent, prefix=f".{output.name}.old-"))
        os.replace(output, old / "previous")
    os.replace(tmp, output)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


@click.group("export")
def export() -> None:
    """Write what the store holds to files for other tools."""


@export.command("follows")
@click.option(
    "--output",
    type=click.Path(path_type=Path),
    required=True,
    help="Folder to create (DIR/follows/platform=P/*.parquet, DIR/accounts/...).",
)
@click.option("--platform", help="Only this platform (e.g. x, bluesky, mastodon, instagram).")
@click.option("--force", is_flag=True, help="Replace an existing non-empty --output folder.")
@with_appcontext
def export_follows_command(output: Path, platform: str | None, force: bool) -> None:
    """Export the follow graph (and account bios, creation dates) as Parquet for Spark."""
    from genuine.db import get_db, schema_problem

    _pyarrow()
    if platform is not None and platform not in PLATFORMS:
        raise UserError(f"unknown platform {platform!r} (one of: {', '.join(PLATFORMS)})")
    _checked_output(output, force)
    problem = schema_problem()
    if problem:
        raise UserError(problem)
    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(dir=output.absolute().parent, prefix=f".{output.name}.tmp-"))
    try:
        counts = export_follows(get_db().engine, tmp, platform)
        size = _bytes(tmp)
        _replace(tmp, output)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    click.echo(
        f"{counts['follows']:,} follows and {counts['accounts']:,} accounts in "
        f"{counts['files']} files ({size:,} bytes) in {time.perf_counter() - started:.1f} s "
        f"-> {output}"
    )


commands = [export]
