"""`genuine import` and `genuine stats`: get data into the store and see what is there."""

from __future__ import annotations

import contextlib
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from genuine.commands import UserError
from genuine.db import get_db, schema_problem
from genuine.formats import FORMATS, FormatError, read
from genuine.handles import PLATFORMS
from genuine.importing import TABLES, import_records


@contextlib.contextmanager
def _one_import_at_a_time():
    from genuine.import_lock import Busy, import_lock

    try:
        with import_lock(get_db().engine, say=lambda text: click.echo(text, err=True)):
            yield
    except Busy as exc:  # raised only while waiting for the lock
        raise UserError(str(exc)) from None


def require_schema() -> None:
    problem = schema_problem()
    if problem:
        raise UserError(problem)


@click.command("import")
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(FORMATS)),
    default="genuine",
    show_default=True,
    help="File format of PATH.",
)
@click.option(
    "--platform",
    type=click.Choice(PLATFORMS),
    help="Platform of every row (required by formats without a platform column is not needed).",
)
@with_appcontext
def import_command(path: Path, fmt: str, platform: str | None) -> None:
    """Import PATH (a dataset folder or file) into the store, all or nothing."""
    require_schema()
    console = Console(stderr=True)
    with (
        _one_import_at_a_time(),
        Progress(
            SpinnerColumn(),
            TextColumn("importing {task.description}"),
            BarColumn(bar_width=None),
            TextColumn("{task.completed:,} rows"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=not console.is_terminal,
        ) as bar,
    ):
        task = bar.add_task(str(path), total=None)
        try:
            summary = import_records(
                get_db().engine,
                read(path, fmt, platform),
                batch_size=current_app.config["IMPORT_BATCH_SIZE"],
                progress=lambda n: bar.advance(task, n),
            )
        except FormatError as exc:
            raise UserError(f"{exc} (nothing was imported)") from None
        except sa.exc.DBAPIError as exc:
            reason = str(exc.orig).splitlines()[0] if exc.orig else exc.__class__.__name__
            raise UserError(
                f"{path}: the database refused the data: {reason} (nothing was imported)"
            ) from None
    click.echo(summary.line())


@click.command("stats")
@with_appcontext
def stats() -> None:
    """Count what the store holds, per table and platform."""
    require_schema()
    from genuine.models import BadgeCard

    tables = {kind: table for kind, (table, _key) in TABLES.items()}
    tables["badge card"] = BadgeCard.__table__
    with get_db().engine.connect() as conn:
        for kind, table in tables.items():
            rows = conn.execute(
                sa.select(table.c.platform, sa.func.count()).group_by(table.c.platform)
            ).all()
            total = sum(n for _p, n in rows)
            detail = ", ".join(f"{p} {n:,}" for p, n in sorted(rows))
            click.echo(f"{kind + 's':<12} {total:>12,}" + (f"   ({detail})" if detail else ""))


commands = [import_command, stats]
