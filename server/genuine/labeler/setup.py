"""The labeler as configured: its DID, its key file, and a ready ``Labeler``.

Off by default: with ``LABELER_DID`` unset nothing is signed or served. The key lives at
``LABELER_KEY_PATH``, or ``labeler.pem`` in the instance folder.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from genuine.labeler.emit import Labeler
from genuine.labeler.sign import load_key


class NotConfigured(Exception):
    """The labeler is off or its key is missing; the message says what to set."""


def key_path(app: Flask) -> Path:
    configured = app.config.get("LABELER_KEY_PATH")
    return Path(configured) if configured else Path(app.config["INSTANCE_PATH"]) / "labeler.pem"


def labeler_did(app: Flask) -> str:
    did = app.config.get("LABELER_DID")
    if not did:
        raise NotConfigured("the labeler is off: set GENUINE_LABELER_DID to the labeler's DID")
    if not isinstance(did, str) or not did.startswith(("did:plc:", "did:web:")):
        raise NotConfigured(f"GENUINE_LABELER_DID must be a did:plc or did:web, not {did!r}")
    return did


def configured_labeler(app: Flask) -> Labeler:
    did = labeler_did(app)
    path = key_path(app)
    if not path.is_file():
        raise NotConfigured(f"no labeler key at {path}: run `genuine labeler keygen`")
    try:
        key = load_key(path)
    except ValueError as exc:
        raise NotConfigured(str(exc)) from None
    return Labeler(did, key)
