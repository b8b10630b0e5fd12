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
from pathlib import Path

import click
from flask.cli import with_appcontext

from genuine.commands import UserError
from genuine.handles import PLATFORMS
from genuine.spark.export import export_follows, pyarrow_module


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

    pyarrow_module()
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
