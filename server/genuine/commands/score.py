"""`genuine score`, `genuine badge` and `genuine demo`: compute cards and look at them."""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import with_appcontext

from genuine import demo as demo_world
from genuine import vocabulary
from genuine.api import cards
from genuine.cards.score import score_store
from genuine.commands import UserError
from genuine.commands.data import require_schema
from genuine.db import get_db
from genuine.directory import demo as directory_demo
from genuine.handles import PLATFORMS, normalise


@click.command("score")
@click.option("--platform", type=click.Choice(PLATFORMS), multiple=True, help="Only these.")
@with_appcontext
def score(platform: tuple[str, ...]) -> None:
    """Compute the badge card of every account in the store."""
    require_schema()
    done = score_store(
        get_db().engine, public_url=current_app.config["PUBLIC_URL"], platforms=platform or None
    )
    total = sum(done.values())
    detail = ", ".join(f"{p} {n:,}" for p, n in done.items())
    click.echo(f"scored {total:,} accounts" + (f" ({detail})" if detail else ""))


@click.command("badge")
@click.argument("platform", type=click.Choice(PLATFORMS))
@click.argument("handle")
@click.option("--json", "as_json", is_flag=True, help="Print the card as JSON.")
@with_appcontext
def badge(platform: str, handle: str, as_json: bool) -> None:
    """Print the badge card of one account."""
    require_schema()
    handle = normalise(handle)
    with get_db().engine.connect() as conn:
        stored = cards.one(conn, platform, handle)
    if stored is None:
        raise UserError(f"no card for {platform}:{handle}: import its data and run `genuine score`")
    card = json.loads(stored.text)
    if as_json:
        click.echo(json.dumps(card, indent=2, ensure_ascii=False))
        return
    synthetic = " (synthetic demo data)" if card.get("synthetic") else ""
    click.echo(f"{platform}:{handle}, computed {card['computed_at']}{synthetic}")
    for name, title in vocabulary.TITLES.items():
        entry = card["badges"][name]
        click.echo(f"  {title.lower()}: {entry['level']}")
        for reason in entry["reasons"]:
            click.echo(f"    - {reason['text']}")
    click.echo(f"  report: {card['report_url']}")


@click.command("demo")
@with_appcontext
def demo() -> None:
    """Load the synthetic demo world, score it and print what to open."""
    require_schema()
    engine = get_db().engine
    summary = demo_world.load(engine)
    click.echo(f"demo world (synthetic data): {summary.line()}")
    done = score_store(engine, public_url=current_app.config["PUBLIC_URL"])
    click.echo(f"scored {sum(done.values()):,} accounts")
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    click.echo("Open these (every page says the data is synthetic):")
    for key, what in demo_world.SHOWCASE.items():
        platform, handle = key.split(":", 1)
        click.echo(f"  {base}/report/{platform}/{handle}   {what}")
    click.echo(f"  {base}/api/v1/badges/x/demo_helpdesk   a card as JSON")
    click.echo(f"  {base}/api/v1/openapi.json   the API description")
    click.echo(directory_demo.describe(engine, base, current_app.config))


commands = [score, badge, demo]
