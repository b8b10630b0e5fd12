"""`genuine labeler keygen|declaration|sync|stream`: run Genuine as a Bluesky labeler."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from genuine.commands import UserError
from genuine.commands.data import require_schema
from genuine.db import get_db
from genuine.labeler.declaration import declaration as declaration_record
from genuine.labeler.emit import subjects
from genuine.labeler.setup import NotConfigured, configured_labeler, key_path, labeler_did
from genuine.labeler.sign import did_key, generate_key, multibase_public_key, write_key


@click.group("labeler")
def labeler() -> None:
    """Publish cards as signed Bluesky labels (off until GENUINE_LABELER_DID is set)."""


@labeler.command("keygen")
@click.option(
    "--path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Where to write the key (default: GENUINE_LABELER_KEY_PATH or instance/labeler.pem).",
)
@with_appcontext
def keygen(path: Path | None) -> None:
    """Write a new secp256k1 signing key (0600) and print what the DID document needs."""
    app = current_app
    path = path or key_path(app)
    key = generate_key()
    try:
        write_key(key, path)
    except FileExistsError:
        raise UserError(f"{path} exists; a labeler key is never overwritten") from None
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror}") from None
    did = app.config.get("LABELER_DID") or "<your labeler DID>"
    endpoint = app.config["PUBLIC_URL"].rstrip("/")
    click.echo(f"wrote {path} (mode 0600); keep it secret and backed up", err=True)
    click.echo(f"did:key: {did_key(key)}")
    click.echo(f"publicKeyMultibase: {multibase_public_key(key)}")
    click.echo("Add to the DID document (a did:plc update of verificationMethods / services):")
    method = {
        "id": f"{did}#atproto_label",
        "type": "Multikey",
        "controller": did,
        "publicKeyMultibase": multibase_public_key(key),
    }
    service = {"id": "#atproto_labeler", "type": "AtprotoLabeler", "serviceEndpoint": endpoint}
    click.echo(json.dumps({"verificationMethod": [method], "service": [service]}, indent=2))


@labeler.command("declaration")
@with_appcontext
def declaration() -> None:
    """Print the app.bsky.labeler.service record (publish it as .../self)."""
    record = declaration_record(current_app.config["PUBLIC_URL"])
    click.echo(json.dumps(record, indent=2, ensure_ascii=False))


@labeler.command("sync")
@with_appcontext
def sync() -> None:
    """Emit, renew and negate labels so the log matches the cards; print the counts."""
    require_schema()
    try:
        signer = configured_labeler(current_app)
    except NotConfigured as exc:
        raise UserError(str(exc)) from None
    with get_db().engine.begin() as conn:
        out = signer.sync(conn, list(subjects(conn)))
    click.echo(
        f"emitted {out.emitted}, renewed {out.renewed}, negated {out.negated}, "
        f"held by disputes {out.held}, skipped without DID {out.skipped_no_did}"
    )


@labeler.command("stream")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=5001, show_default=True)
@click.option(
    "--poll",
    type=click.FloatRange(0.01, 60),
    default=0.25,
    show_default=True,
    help="Seconds between looks at the label table for new labels.",
)
@click.option(
    "--buffer",
    type=click.IntRange(1, 16_384),
    default=64,
    show_default=True,
    help="KiB of frames queued for one subscriber (beyond the kernel's) before sends wait.",
)
@click.option(
    "--send-timeout",
    type=click.FloatRange(0.1, 600),
    default=10.0,
    show_default=True,
    help="Seconds a subscriber's full buffer may stay full before it is disconnected.",
)
@with_appcontext
def stream(host: str, port: int, poll: float, buffer: int, send_timeout: float) -> None:
    """Serve com.atproto.label.subscribeLabels over WebSocket (behind the reverse proxy)."""
    import asyncio
    import logging

    from genuine.labeler.stream import PATH, LabelStream, run

    require_schema()
    try:
        labeler_did(current_app)
    except NotConfigured as exc:
        raise UserError(str(exc)) from None
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    click.echo(f"streaming labels on ws://{host}:{port}{PATH}; Ctrl-C stops")
    with contextlib.suppress(KeyboardInterrupt):
        labels = LabelStream(
            get_db().engine, poll=poll, buffer=buffer * 1024, send_timeout=send_timeout
        )
        asyncio.run(run(labels, host, port))


commands = [labeler]
