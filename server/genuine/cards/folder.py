"""Follows (and accounts) from a dataset folder's follows.csv and accounts.csv, as
`FollowData` per platform: what `genuine rings --input` and the Spark engine's input
(`genuine.spark.input`) read. Here rather than in `genuine.commands` so that genuine.spark can
use it without an import cycle.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from genuine.cards.load import FollowData, build_follow_data, seconds
from genuine.errors import UserError


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
                "created_at": seconds(v["created_at"] for v in acc),
            }
    except FormatError as exc:
        raise UserError(str(exc)) from None
    return build_follow_data(
        np.array([v["platform"] for v in rows], dtype=object).astype(str),
        np.array([v["follower"] for v in rows], dtype=object).astype(str),
        np.array([v["followee"] for v in rows], dtype=object).astype(str),
        seconds(v["followed_at"] for v in rows),
        accounts,
    )
