"""`genuine rings`: find follow-back rings in a dataset folder or in the store.

The detection itself is `genuine.signals.rings.detect_rings` (pure, arrays in, rings
out). This module only turns follows named by handle into integer ids (np.unique with
return_inverse, no per-edge dictionary), one platform at a time because a ring never
spans platforms, and writes the JSON.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import click
import numpy as np

from genuine.signals.rings import RingResult, detect_rings


class UserError(click.ClickException):
    """A mistake in what the user asked for: one line on stderr, exit status 2."""

    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


@dataclass
class FollowData:
    """The follows of one platform with accounts numbered 0..n-1 (`handles[i]` is account i).

    Timestamps are float seconds since the epoch with NaN where unknown; `bios` and
    `created_at` are per account and None when no account data was available.
    """

    platform: str
    handles: np.ndarray
    follower: np.ndarray
    followee: np.ndarray
    followed_at: np.ndarray | None
    bios: np.ndarray | None = None
    created_at: np.ndarray | None = None

    def detect(self) -> RingResult:
        keys = np.char.add(f"{self.platform}:", self.handles.astype(str))
        return detect_rings(
            self.follower,
            self.followee,
            self.handles.size,
            followed_at=self.followed_at,
            bios=self.bios,
            created_at=self.created_at,
            labels=keys,
        )


def _seconds(values: Iterable[datetime | None]) -> np.ndarray:
    return np.array([v.timestamp() if v else np.nan for v in values], dtype=np.float64)


def build_follow_data(
    platforms: np.ndarray,
    followers: np.ndarray,
    followees: np.ndarray,
    followed_at: np.ndarray | None,
    accounts: dict[str, np.ndarray] | None = None,
) -> list[FollowData]:
    """Split handle-named follows by platform and number the accounts with np.unique.

    `accounts` optionally holds equal-length arrays "platform", "handle", "bio" and
    "created_at" (float seconds, NaN unknown); they are matched by sorted search.
    """
    out = []
    for platform in np.unique(platforms).tolist():
        m = platforms == platform
        names, ids = np.unique(np.concatenate([followers[m], followees[m]]), return_inverse=True)
        half = int(m.sum())
        data = FollowData(
            platform=platform,
            handles=names,
            follower=ids[:half],
            followee=ids[half:],
            followed_at=None if followed_at is None else followed_at[m],
        )
        if accounts is not None and accounts["handle"].size:
            a = accounts["platform"] == platform
            handle = accounts["handle"][a]
            pos = np.minimum(np.searchsorted(names, handle), names.size - 1)
            found = names[pos] == handle
            data.bios = np.full(names.size, None, dtype=object)
            data.bios[pos[found]] = accounts["bio"][a][found]
            data.created_at = np.full(names.size, np.nan)
            data.created_at[pos[found]] = accounts["created_at"][a][found]
        out.append(data)
    return out


def load_follows_from_folder(folder: Path, platform: str | None) -> list[FollowData]:
    """Read follows.csv (and accounts.csv when present) with the project's format reader."""
    from genuine.formats import FormatError, read

    follows_csv = folder / "follows.csv"
    if not follows_csv.is_file():
        raise UserError(f"{folder}: no follows.csv in this folder")
    if platform is not None:
        from genuine.handles import PLATFORMS

        if platform not in PLATFORMS:
            raise UserError(f"unknown platform {platform!r} (one of: {', '.join(PLATFORMS)})")

    def records(path: Path) -> list[dict]:
        # --platform filters a file that names platforms, and names it for one that doesn't.
        with open(path, encoding="utf-8-sig", newline="") as fh:
            header = next(csv.reader(fh), [])
        named = "platform" in [h.strip().lower() for h in header]
        rows = [r.values for r in read(path, "genuine", None if named else platform)]
        return [v for v in rows if v["platform"] == platform] if platform and named else rows

    try:
        rows = records(follows_csv)
        accounts = None
        if (folder / "accounts.csv").is_file():
            acc = records(folder / "accounts.csv")
            accounts = {
                "platform": np.array([v["platform"] for v in acc], dtype=object),
                "handle": np.array([v["handle"] for v in acc], dtype=object).astype(str),
                "bio": np.array([v["bio"] for v in acc], dtype=object),
                "created_at": _seconds(v["created_at"] for v in acc),
            }
    except FormatError as exc:
        raise UserError(str(exc)) from None
    return build_follow_data(
        np.array([v["platform"] for v in rows], dtype=object).astype(str),
        np.array([v["follower"] for v in rows], dtype=object).astype(str),
        np.array([v["followee"] for v in rows], dtype=object).astype(str),
        _seconds(v["followed_at"] for v in rows),
        accounts,
    )


def load_follows_from_db(engine, platform: str | None) -> list[FollowData]:
    """Read the store's follow and account tables, streamed, into `FollowData` per platform.

    Boundary for the lead: `engine` is the SQLAlchemy engine (genuine.db.get_db().engine).
    """
    import sqlalchemy as sa

    from genuine.models.accounts import Account, Follow

    f, a = Follow.__table__, Account.__table__
    fq = sa.select(f.c.platform, f.c.follower, f.c.followee, f.c.followed_at)
    aq = sa.select(a.c.platform, a.c.handle, a.c.bio, a.c.created_at)
    if platform:
        fq, aq = fq.where(f.c.platform == platform), aq.where(a.c.platform == platform)
    with engine.connect() as conn:
        rows = conn.execution_options(stream_results=True, yield_per=100_000).execute(fq).all()
        acc = conn.execute(aq).all()
    cols = list(zip(*rows, strict=True)) if rows else [(), (), (), ()]
    acols = list(zip(*acc, strict=True)) if acc else [(), (), (), ()]
    return build_follow_data(
        np.array(cols[0], dtype=object).astype(str),
        np.array(cols[1], dtype=object).astype(str),
        np.array(cols[2], dtype=object).astype(str),
        _seconds(cols[3]),
        {
            "platform": np.array(acols[0], dtype=object),
            "handle": np.array(acols[1], dtype=object).astype(str),
            "bio": np.array(acols[2], dtype=object),
            "created_at": _seconds(acols[3]),
        },
    )


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


def rings_json(parts: list[tuple[FollowData, RingResult]]) -> dict[str, object]:
    """The `genuine rings` document: every ring of every platform, largest first."""
    rings = []
    for data, result in parts:
        for ring in result.rings:
            rings.append({**ring.to_dict(data.handles), "platform": data.platform})
    rings.sort(key=lambda r: (-r["size"], r["platform"], r["id"]))
    return {"rings": rings}


@click.command("rings")
@click.option(
    "--input",
    "input_dir",
    type=click.Path(path_type=Path),
    help="Dataset folder holding follows.csv (and accounts.csv); default: the database.",
)
@click.option("--platform", help="Only this platform (e.g. x, bluesky, mastodon, instagram).")
@click.option(
    "--output", type=click.Path(path_type=Path), required=True, help="JSON file to write."
)
def rings(input_dir: Path | None, platform: str | None, output: Path) -> None:
    """Find follow-back rings and write them as JSON to --output."""
    if output.parent and not output.parent.is_dir():
        raise UserError(f"{output}: the folder {output.parent} does not exist")
    if input_dir is not None:
        if not input_dir.is_dir():
            raise UserError(f"{input_dir}: no such folder")
        parts = load_follows_from_folder(input_dir, platform)
    else:
        parts = _from_db(platform)
    results = [(data, data.detect()) for data in parts]
    document = rings_json(results)
    fd, tmp = tempfile.mkstemp(dir=output.parent or Path.cwd(), suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(document, fh, indent=1)
        fh.write("\n")
    os.replace(tmp, output)
    members = sum(r["size"] for r in document["rings"])
    follows = sum(d.follower.size for d in parts)
    click.echo(
        f"{len(document['rings'])} rings ({members} accounts) among "
        f"{sum(d.handles.size for d in parts):,} accounts and {follows:,} follows -> {output}"
    )


commands = [rings]
