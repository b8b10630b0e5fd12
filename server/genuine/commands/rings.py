"""`genuine rings`: find follow-back rings in a dataset folder or in the store.

The detection itself is `genuine.signals.rings.detect_rings` (pure, arrays in, rings
out). This module only turns follows named by handle into integer ids (np.unique with
return_inverse, no per-edge dictionary), one platform at a time because a ring never
spans platforms, and writes the JSON.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import click
import numpy as np

from genuine.cards.folder import load_follows_from_folder
from genuine.cards.load import FollowData, load_follows_from_db
from genuine.commands import UserError
from genuine.signals.rings import RingResult


def _from_db(platform: str | None) -> list[FollowData]:
    from flask.cli import ScriptInfo

    from genuine.db import get_db, schema_problem

    obj = click.get_current_context().find_object(ScriptInfo)
    if obj is not None:
        app = obj.load_app()
    else:
        from genuine import create_app

        app = create_app()
    with app.app_context():
        problem = schema_problem()
        if problem:
            raise UserError(problem)
        return load_follows_from_db(get_db().engine, platform)


def rings_json(parts: list[tuple[str, np.ndarray | None, RingResult]]) -> dict[str, object]:
    """The `genuine rings` document: every ring of every platform, largest first.

    `parts` holds (platform, account names by id or None for integer ids, result)."""
    rings = []
    for platform, names, result in parts:
        for ring in result.rings:
            rings.append({**ring.to_dict(names), "platform": platform})
    rings.sort(key=lambda r: (-r["size"], r["platform"], r["id"]))
    return {"rings": rings}


@click.command("rings")
@click.option(
    "--input",
    "input_dir",
    type=click.Path(path_type=Path),
    help="Dataset folder holding follows.csv (and accounts.csv); with --engine spark also "
    "a `genuine export follows` folder or Parquet files; default: the database.",
)
@click.option("--platform", help="Only this platform (e.g. x, bluesky, mastodon, instagram).")
@click.option(
    "--output", type=click.Path(path_type=Path), required=True, help="JSON file to write."
)
@click.option(
    "--engine",
    type=click.Choice(["inprocess", "spark"]),
    envvar="GENUINE_RINGS_ENGINE",
    default="inprocess",
    show_default=True,
    help="inprocess: numpy/scipy in this process; spark: the same method as a PySpark job.",
)
@click.option("--master", help="Spark master with --engine spark (default local[2]).")
def rings(
    input_dir: Path | None, platform: str | None, output: Path, engine: str, master: str | None
) -> None:
    """Find follow-back rings and write them as JSON to --output."""
    if output.parent and not output.parent.is_dir():
        raise UserError(f"{output}: the folder {output.parent} does not exist")
    if master and engine != "spark":
        raise UserError("--master needs --engine spark")
    if engine == "spark":
        if input_dir is None:
            raise UserError(
                "--engine spark reads files: write the store's follows with "
                "`genuine export follows --output DIR`, then pass --input DIR"
            )
        from genuine.spark.job import rings_at

        found = rings_at(input_dir, platform, master)
    else:
        if input_dir is not None and not input_dir.is_dir():
            raise UserError(f"{input_dir}: no such folder")
        graphs = load_follows_from_folder(input_dir, platform) if input_dir else _from_db(platform)
        found = [(d.platform, d.handles, d.detect(), d.follower.size) for d in graphs]
    parts = [(name, names, result) for name, names, result, _ in found]
    accounts = sum(result.n_nodes for _, _, result, _ in found)
    follows = sum(n for *_, n in found)
    document = rings_json(parts)
    fd, tmp = tempfile.mkstemp(dir=output.parent or Path.cwd(), suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(document, fh, indent=1)
        fh.write("\n")
    os.replace(tmp, output)
    members = sum(r["size"] for r in document["rings"])
    click.echo(
        f"{len(document['rings'])} rings ({members} accounts) among "
        f"{accounts:,} accounts and {follows:,} follows -> {output}"
    )


commands = [rings]
