"""`genuine model train` and `genuine classify`: the follower classifier from the command line.

Neither needs a database or a Flask app. Training needs the `train` extra (scikit-learn);
classifying needs only numpy and the shipped JSON artefact.
"""

from __future__ import annotations

import csv
import json
import math
import sys
from pathlib import Path

import click
import numpy as np

FORMATS = ("twitter-v1", "instafake", "genuine")


def _fail(message: str) -> click.ClickException:
    exc = click.ClickException(message)
    exc.exit_code = 2
    return exc


@click.group("model")
def model() -> None:
    """Train the follower classifier and inspect its artefact."""


@model.command("train")
@click.option(
    "--data",
    "data_dir",
    required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Datasets folder holding cresci-2015/users_train.csv and/or instafake/accounts_train.csv.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the model JSON (default: the shipped artefact in genuine/signals/).",
)
@click.option("--repeats", default=5, show_default=True, help="Repeats of the stratified k-fold.")
def train_command(data_dir: Path, output: Path | None, repeats: int) -> None:
    """Cross-validate, choose, calibrate and export the follower classifier."""
    try:
        from genuine.model import training
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise _fail(f"training needs scikit-learn (pip install 'genuine[train]'): {exc}") from None
    from genuine.formats import FormatError
    from genuine.signals.classifier import MODEL_PATH

    def log(line: str) -> None:
        click.echo(line, err=True)

    try:
        artefact = training.train(data_dir, log=log, repeats=repeats)
    except (FormatError, FileNotFoundError, ValueError) as exc:
        raise _fail(str(exc)) from None
    target = output or MODEL_PATH
    target.write_text(json.dumps(artefact, indent=None, separators=(",", ":")) + "\n")
    click.echo(f"wrote {target} ({target.stat().st_size:,} bytes, version {artefact['version']})")
    click.echo(
        f"{'model':<10} {'family':<9} {'n':>5} {'MCC':>7} {'AUC':>7} {'prec':>7} {'recall':>7}"
    )
    for m in artefact["models"]:
        s = m["cv"]["summary"]
        click.echo(
            f"{m['name']:<10} {m['family']:<9} {m['n']:>5} {s['mcc']['mean']:>7.4f} "
            f"{s['auc']['mean']:>7.4f} {s['precision']['mean']:>7.4f} {s['recall']['mean']:>7.4f}"
        )


@click.command("classify")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True, help="Input format.")
@click.option("--platform", default=None, help="Platform of the accounts, when the file lacks it.")
@click.option(
    "--output",
    required=True,
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="CSV to write (- for standard output).",
)
@click.option("--model", "model_path", default=None, hidden=True, help="Another model JSON.")
def classify(
    path: Path, fmt: str, platform: str | None, output: Path, model_path: str | None
) -> None:
    """Score every account in PATH: one output row per input account row, in input order.

    Columns: row (0-based among account rows), handle (empty when the format has none),
    fake_probability and is_fake (0/1; both empty when no model can score the row because a
    field it needs is missing). Label columns in the input are never read.
    """
    from genuine.formats import FormatError, read
    from genuine.signals.classifier import fake_probability, load
    from genuine.signals.features import build_features

    try:
        records = [r.values for r in read(path, fmt, platform) if r.kind == "account"]
        clf = load(model_path)
    except FormatError as exc:
        raise _fail(str(exc)) from None
    except (OSError, ValueError, KeyError) as exc:
        raise _fail(f"cannot load the model: {exc}") from None
    features = build_features(records)
    proba = fake_probability(features, model_path)
    threshold = clf.models[0].threshold
    out = sys.stdout if str(output) == "-" else output.open("w", encoding="utf-8", newline="")
    try:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["row", "handle", "fake_probability", "is_fake"])
        for i, (p, handle) in enumerate(zip(proba, features.handles, strict=True)):
            if math.isnan(p):
                writer.writerow([i, handle or "", "", ""])
            else:
                writer.writerow([i, handle or "", f"{p:.6f}", int(p >= threshold)])
    finally:
        if out is not sys.stdout:
            out.close()
    scored = int((~np.isnan(proba)).sum())
    click.echo(f"scored {scored:,} of {len(proba):,} accounts", err=True)


commands = [model, classify]
