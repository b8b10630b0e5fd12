import json
import re
from pathlib import Path

import sqlalchemy as sa
from atproto_client import models
from atproto_client.models.utils import get_or_create
from atproto_crypto.did import parse_did_key
from atproto_crypto.verify import verify_signature

from genuine.cli import cli
from genuine.db import get_db
from genuine.labeler.bands import LABEL_VALUES
from genuine.labeler.declaration import LANGS
from genuine.labeler.emit import LABEL, published
from genuine.labeler.sign import signing_bytes
from tests.labeler.helpers import SRC, card, put


def keygen(runner, *args):
    return runner.invoke(cli, ["labeler", "keygen", *args])


def test_keygen_writes_0600_key_and_prints_the_did_document_parts(app, runner, tmp_path):
    app.config["LABELER_DID"] = SRC
    path = tmp_path / "k.pem"
    out = keygen(runner, "--path", str(path))
    assert out.exit_code == 0, out.output
    assert path.stat().st_mode & 0o777 == 0o600
    did_key = re.search(r"^did:key: (did:key:z\S+)$", out.stdout, re.M).group(1)
    assert parse_did_key(did_key).jwt_alg == "ES256K"
    doc = json.loads(out.stdout[out.stdout.index("{") :])
    [method] = doc["verificationMethod"]
    assert method["id"] == f"{SRC}#atproto_label" and method["type"] == "Multikey"
    assert "did:key:" + method["publicKeyMultibase"] == did_key
    [svc] = doc["service"]
    assert svc == {
        "id": "#atproto_labeler",
        "type": "AtprotoLabeler",
        "serviceEndpoint": app.config["PUBLIC_URL"],
    }
    before = path.read_bytes()
    again = keygen(runner, "--path", str(path))
    assert again.exit_code == 2 and "never overwritten" in again.stderr
    assert path.read_bytes() == before


def test_keygen_defaults_to_the_instance_folder(app, runner):
    assert keygen(runner).exit_code == 0
    written = Path(app.config["INSTANCE_PATH"]) / "labeler.pem"
    assert written.stat().st_mode & 0o777 == 0o600
    assert keygen(runner).exit_code == 2


def test_declaration_parses_in_the_sdk_and_covers_every_value(app, runner):
    out = runner.invoke(cli, ["labeler", "declaration"])
    assert out.exit_code == 0, out.output
    record = json.loads(out.stdout)
    parsed = get_or_create(record, models.AppBskyLabelerService.Record, strict=True)
    assert isinstance(parsed, models.AppBskyLabelerService.Record)
    assert parsed.policies.label_values == list(LABEL_VALUES)
    definitions = parsed.policies.label_value_definitions
    assert [d.identifier for d in definitions] == list(LABEL_VALUES)
    for d in definitions:
        assert re.fullmatch(r"[a-z-]+", d.identifier)
        assert d.blurs == "none" and d.default_setting == "warn"
        assert d.severity in ("inform", "alert")
        assert [loc.lang for loc in d.locales] == list(LANGS)
        for loc in d.locales:
            assert len(loc.name) <= 64 and loc.description
            assert "/report/bluesky/" in loc.description
            assert app.config["PUBLIC_URL"] in loc.description
    names = {loc.name for d in definitions for loc in d.locales}
    assert len(names) == len(LABEL_VALUES) * len(LANGS)  # every text is its own


def test_sync_is_off_by_default_and_needs_a_key(app, runner):
    off = runner.invoke(cli, ["labeler", "sync"])
    assert off.exit_code == 2 and "GENUINE_LABELER_DID" in off.stderr
    app.config["LABELER_DID"] = SRC
    nokey = runner.invoke(cli, ["labeler", "sync"])
    assert nokey.exit_code == 2 and "genuine labeler keygen" in nokey.stderr
    app.config["LABELER_DID"] = "not-a-did"
    assert "did:plc" in runner.invoke(cli, ["labeler", "sync"]).stderr


def test_sync_runs_the_lifecycle_and_prints_counts(app, runner):
    app.config["LABELER_DID"] = SRC
    out = keygen(runner)
    did_key = re.search(r"^did:key: (\S+)$", out.stdout, re.M).group(1)
    with get_db(app).engine.begin() as conn:
        put(
            conn,
            card("ring1.bsky.social", ring="member"),
            card("buyer.bsky.social", purchase="high"),
        )
        put(conn, card("nodid.bsky.social", ring="member"), did=False)
    first = runner.invoke(cli, ["labeler", "sync"])
    assert first.exit_code == 0, first.output
    assert first.stdout.strip() == (
        "emitted 2, renewed 0, negated 0, held by disputes 0, skipped without DID 1"
    )
    with get_db(app).engine.begin() as conn:
        put(conn, card("buyer.bsky.social"))
    second = runner.invoke(cli, ["labeler", "sync"]).stdout
    assert second.startswith("emitted 0, renewed 0, negated 1,")
    with get_db(app).engine.connect() as conn:
        rows = [published(r) for r in conn.execute(sa.select(LABEL).order_by(LABEL.c.seq))]
    assert [(x["val"], x.get("neg", False)) for x in rows][-1] == ("bought-followers-high", True)
    for label in rows:
        assert label["src"] == SRC
        assert verify_signature(did_key, signing_bytes(label), label["sig"])
