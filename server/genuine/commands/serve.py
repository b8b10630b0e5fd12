"""`genuine serve`: the web server (waitress) and one audit worker, started and stopped together.

The worker is `genuine worker` in a child process with the same environment, so an audit
queued from the web (a consultant's ownership check) runs in the demo too. Ctrl-C stops
both; if the worker stops on its own, the server stops with it rather than queue audits
nobody runs. Production runs the two separately (gunicorn, `genuine worker` elsewhere).
"""

from __future__ import annotations

import _thread
import logging
import signal
import subprocess
import sys
import threading

import click
from flask import current_app
from flask.cli import with_appcontext

from genuine.commands.data import require_schema

# Seconds the worker gets to stop after the server does, before it is killed.
STOP_SECONDS = 10


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=5000, show_default=True)
@click.option(
    "--workers",
    type=click.IntRange(0, 64),
    default=1,
    show_default=True,
    help="Threads of the audit worker beside the server (0: no worker).",
)
@with_appcontext
def serve(host: str, port: int, workers: int) -> None:
    """Serve the site and API, with an audit worker beside them; Ctrl-C stops both."""
    from waitress import create_server

    require_schema()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    server = create_server(current_app._get_current_object(), host=host, port=port)
    worker, stopping, died = None, threading.Event(), threading.Event()
    if workers:
        worker = subprocess.Popen(
            [sys.executable, "-m", "genuine", "worker", "--workers", str(workers)]
        )
        threading.Thread(target=_watch, args=(worker, stopping, died), daemon=True).start()
    # SIGTERM (a supervisor, `kill`) stops both as Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: _thread.interrupt_main())
    signal.signal(signal.SIGINT, signal.default_int_handler)
    click.echo(f"serving on http://{host}:{port}/ with {workers} worker thread(s); Ctrl-C stops")
    try:
        server.run()  # returns on Ctrl-C (waitress catches KeyboardInterrupt)
    finally:
        stopping.set()
        server.close()
        if worker is not None:
            _stop(worker)
    if died.is_set():
        raise click.ClickException(f"the worker stopped (exit {worker.returncode})")


def _watch(worker: subprocess.Popen, stopping: threading.Event, died: threading.Event) -> None:
    """Stop the server (as Ctrl-C would) when the worker ends on its own."""
    worker.wait()
    if not stopping.is_set():
        died.set()
        _thread.interrupt_main()


def _stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


commands = [serve]
