"""`genuine db upgrade|current`: schema migrations through Alembic."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from genuine import db as database


@click.group("db")
def db_group() -> None:
    """Database schema: migrate and inspect."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def upgrade(revision: str) -> None:
    """Migrate the database to REVISION (default: the newest)."""
    database.upgrade(current_app, revision)
    engine = database.get_db().engine
    click.echo(f"database at {database.current_revision(engine)} ({engine.url.render_as_string()})")


@db_group.command("current")
@with_appcontext
def current() -> None:
    """Print the database's revision and the code's head revision."""
    engine = database.get_db().engine
    click.echo(f"database: {database.current_revision(engine) or 'empty'}")
    click.echo(f"code:     {database.head_revision()}")


commands = [db_group]
