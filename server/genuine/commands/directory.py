"""`genuine directory export|flag`: publish the directory as JSON; re-check published cards."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from genuine.commands import UserError
from genuine.commands.data import require_schema
from genuine.db import get_db
from genuine.directory.evidence import flag_if_cards_turned_bad
from genuine.directory.export import document


@click.group("directory")
def directory() -> None:
    """The community-reviewed consultant directory."""


@directory.command("export")
@click.option(
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="JSON file to write (- for standard output).",
)
@with_appcontext
def export(output: Path) -> None:
    """Write the published profiles in the export contract's JSON (what the site reads)."""
    require_schema()
    with get_db().session() as session:
        body = document(session, synthetic=bool(current_app.config["SYNTHETIC_DATA"]))
    text = json.dumps(body, indent=2, ensure_ascii=False) + "\n"
    if str(output) == "-":
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UserError(f"cannot write {output}: {exc.strerror}") from exc
    click.echo(f"wrote {len(body['consultants'])} consultants to {output}", err=True)


@directory.command("flag")
@with_appcontext
def flag() -> None:
    """Send published consultants whose cards turned bad back to review."""
    require_schema()
    flagged = flag_if_cards_turned_bad(get_db().engine, config=current_app.config)
    click.echo(f"flagged {len(flagged)} consultants for re-review")


commands = [directory]
