"""`genuine jetstream`: ingest Bluesky's public Jetstream firehose; `--status` to see how far."""

from __future__ import annotations

import logging
import signal
import time

import click
from flask import current_app
from flask.cli import with_appcontext

from genuine.commands import UserError
from genuine.commands.data import require_schema
from genuine.db import get_db


def _duration(seconds: float) -> str:
    seconds = max(seconds, 0.0)
    if seconds < 120:
        return f"{seconds:.1f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    if seconds < 172_800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def _print_status() -> None:
    from genuine.jetstream.stats import held
    from genuine.jetstream.status import STALE_SECONDS

    got = held(get_db().engine)
    if got.lag is None:
        click.echo("cursor: none (no batch committed yet; `genuine jetstream` starts live)")
    else:
        stamp = got.lag.cursor.isoformat(timespec="milliseconds")
        click.echo(f"cursor: {stamp} (time_us {got.cursor_us})")
        click.echo(f"lag: {_duration(got.lag.seconds)} behind now")
        idle = got.lag.idle_seconds
        if idle > STALE_SECONDS:
            click.echo(
                f"events per second: 0 (last batch {_duration(idle)} ago; "
                "is `genuine jetstream` running?)"
            )
        else:
            click.echo(f"events per second: {got.rate:,.1f} (last minute)")
    click.echo(f"events: {got.events:,} ({got.bad:,} bad, skipped)")
    click.echo(f"accounts: {got.accounts:,}")
    click.echo(f"cards held: {got.cards:,}")


def _rescoring(every: float):
    """After a batch, at most every `every` seconds: queue the dirty accounts due for a card
    (genuine.pipeline.queue.queue_dirty; `genuine worker` runs the jobs)."""
    if not every:
        return None
    from genuine.pipeline.queue import queue_dirty

    app = current_app._get_current_object()
    last = [float("-inf")]

    def queue(force: bool = False) -> None:
        now = time.monotonic()
        if force or now - last[0] >= every:
            last[0] = now
            queue_dirty(app)

    return queue


@click.command("jetstream")
@click.option("--url", help="Jetstream's /subscribe address (default: GENUINE_JETSTREAM_URL).")
@click.option(
    "--batch-size",
    type=click.IntRange(1, 100_000),
    help="Frames per transaction at most (default: GENUINE_JETSTREAM_BATCH_SIZE, 1000).",
)
@click.option(
    "--batch-seconds",
    type=click.FloatRange(0.01, 60),
    help="Seconds a batch gathers frames at most (default: GENUINE_JETSTREAM_BATCH_SECONDS, 1).",
)
@click.option(
    "--silence-seconds",
    type=click.FloatRange(0.1, 3600),
    help="Reconnect after this long without a frame (default: GENUINE_JETSTREAM_SILENCE_SECONDS).",
)
@click.option(
    "--progress-seconds",
    type=click.FloatRange(0.1, 86400),
    default=60.0,
    show_default=True,
    help="Seconds between progress lines in the log.",
)
@click.option(
    "--rescore-every",
    type=click.FloatRange(0, 86400),
    default=10.0,
    show_default=True,
    help="Seconds between queueings of the touched accounts' rescoring (0: leave it to the "
    "workers' minutely schedule).",
)
@click.option("--status", "show_status", is_flag=True, help="Print how far ingest is, and stop.")
@click.option(
    "--rings",
    "run_rings",
    is_flag=True,
    help="Run ring detection over the whole ingested follow graph now (the workers run it "
    "daily at GENUINE_RINGS_DAILY_AT), update the ring badges, and stop.",
)
@with_appcontext
def jetstream(
    url: str | None,
    batch_size: int | None,
    batch_seconds: float | None,
    silence_seconds: float | None,
    progress_seconds: float,
    rescore_every: float,
    show_status: bool,
    run_rings: bool,
) -> None:
    """Keep the store current from Bluesky's Jetstream (follows, posts, profiles, handles,
    account status), one transaction per batch with its cursor; SIGTERM or Ctrl-C stops
    after committing the batch in hand."""
    from genuine.jetstream.client import Ingester, Settings, check_url

    require_schema()
    config = current_app.config
    if show_status:
        _print_status()
        return
    if run_rings:
        from genuine.jetstream.rings import run

        done = run(get_db().engine, ring_engine=str(config.get("RINGS_ENGINE") or "inprocess"))
        click.echo(
            f"rings over {done.accounts:,} accounts and {done.follows:,} follows: "
            f"{done.rings:,} rings, {done.members:,} ingested accounts in one, "
            f"{done.verdicts:,} verdicts stored, {done.cards_changed:,} ring badges changed"
        )
        return
    try:
        settings = Settings(
            url=check_url(url or config["JETSTREAM_URL"]),
            batch_size=batch_size or config["JETSTREAM_BATCH_SIZE"],
            batch_seconds=batch_seconds or config["JETSTREAM_BATCH_SECONDS"],
            silence_seconds=silence_seconds or config["JETSTREAM_SILENCE_SECONDS"],
            progress_seconds=progress_seconds,
        )
    except ValueError as exc:
        raise UserError(str(exc)) from None
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    rescoring = _rescoring(rescore_every)
    ingester = Ingester(get_db().engine, settings, after_commit=rescoring)

    def stop(signum, _frame) -> None:
        logging.getLogger("genuine.jetstream").info(
            "jetstream: %s: committing the batch in hand and stopping",
            signal.Signals(signum).name,
        )
        ingester.stop.set()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        ingester.run()
        if rescoring is not None:  # what the last batches touched, without waiting a minute
            try:
                rescoring(force=True)
            except Exception as exc:
                logging.getLogger("genuine.jetstream").warning(
                    "jetstream: queueing the rescoring: %s: %s", type(exc).__name__, exc
                )
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


commands = [jetstream]
