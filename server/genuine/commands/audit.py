"""`genuine audit` (fetch one account live and recompute its card) and `genuine worker`."""

from __future__ import annotations

import logging

import click
from flask import current_app
from flask.cli import with_appcontext
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from genuine import pipeline
from genuine.commands import UserError
from genuine.commands.data import require_schema
from genuine.db import get_db
from genuine.pipeline import audits
from genuine.pipeline import queue as jobs
from genuine.sources import SOURCES
from genuine.sources.common import domain


@click.command("audit")
@click.argument("platform", type=click.Choice([*SOURCES, "instagram"]))
@click.argument("handle")
@click.option(
    "--followers",
    type=click.IntRange(0, 100_000),
    help="Followers to sample (default AUDIT_FOLLOWERS, 2000).",
)
@click.option("--queue", is_flag=True, help="Only queue it for `genuine worker`; print its id.")
@with_appcontext
def audit(platform: str, handle: str, followers: int | None, queue: bool) -> None:
    """Fetch PLATFORM HANDLE live, store what was fetched and recompute its card."""
    require_schema()
    config = current_app.config
    verdict = pipeline.can_audit(config, platform)
    if not verdict:
        raise UserError(verdict.fix or verdict.why)
    user, _, rest = handle.strip().lstrip("@").lower().partition("@")
    handle = f"{user}@{domain(rest)}" if rest else domain(user) if platform == "bluesky" else user
    if platform == "mastodon" and not rest:
        raise UserError(f"{handle!r} is not a Mastodon handle: use user@instance")
    if queue:
        made, created = pipeline.request(platform, handle, followers=followers, origin="cli")
        shared = "" if created else " (already under way: shared)"
        click.echo(f"{made['id']} {made['status']}{shared}")
        return
    engine = get_db().engine
    made, _created = audits.request_audit(
        engine,
        platform,
        handle,
        followers=followers if followers is not None else int(config["AUDIT_FOLLOWERS"]),
        origin="cli",
    )
    console = Console(stderr=True)
    with Progress(
        TextColumn("{task.description:<18}"),
        BarColumn(bar_width=None),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as bar:
        tasks: dict[str, int] = {}

        def progress(stage: str, done: int, total: int | None) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        result = audits.run_audit(engine, config, made["id"], progress=progress)
    if result is None:
        raise UserError(
            f"{platform}:{handle} is being audited by a worker right now (audit {made['id']})"
        )
    if result["status"] != "done":
        raise click.ClickException(f"audit failed: {result['error']} (the previous card stays)")
    click.echo(
        f"audited {platform}:{result['handle']} with {result['requests']:,} requests: "
        f"card at {config['PUBLIC_URL'].rstrip('/')}/report/{platform}/{result['handle']}"
    )
    for note in result["notes"]:
        click.echo(f"  note: {note}")


@click.command("worker")
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True)
@click.option(
    "--worker-type",
    type=click.Choice(["thread", "process"]),
    default="thread",
    show_default=True,
    help="Threads suffice: an audit mostly waits on the network.",
)
@with_appcontext
def worker(workers: int, worker_type: str) -> None:
    """Run queued audits and the schedule (re-audits, recovery) until interrupted."""
    require_schema()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    app = current_app._get_current_object()
    huey = jobs.get_huey(app)
    lost = jobs.requeue_lost(app)
    if lost:
        click.echo(f"queued again {lost} audit(s) whose worker stopped", err=True)
    huey.create_consumer(workers=workers, worker_type=worker_type).run()


commands = [audit, worker]
