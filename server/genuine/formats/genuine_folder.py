"""The dataset folder of DESIGN.md: accounts.csv, follows.csv, posts.csv, snapshots.csv.

Any subset may be present; unknown columns are ignored; dates are ISO 8601 (a date
without an offset is taken as UTC); booleans are true/false/1/0 or empty (unknown).
`PATH` may be the folder or one of its files.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from genuine.formats.csvio import FormatError, Record, Row, read_rows
from genuine.handles import PLATFORMS, parse

FILES = ("accounts.csv", "snapshots.csv", "follows.csv", "posts.csv")
# Every column each file may hold, key columns first (DESIGN.md "Dataset folder"): what
# writers of dataset folders (the demo world, benchmarks, tests) take their headers from.
COLUMNS = {
    "accounts.csv": (
        *("platform", "handle", "display_name", "bio", "followers_count", "following_count"),
        *("posts_count", "created_at", "has_avatar", "url", "verified", "is_private", "is_bot"),
    ),
    "snapshots.csv": (
        *("platform", "handle", "taken_at", "followers_count", "following_count"),
        "posts_count",
    ),
    "follows.csv": ("platform", "follower", "followee", "followed_at"),
    "posts.csv": (
        *("platform", "post_id", "author", "created_at", "in_reply_to_post_id"),
        *("in_reply_to_author", "text"),
    ),
}


def _platform(row: Row, override: str | None) -> str:
    platform = override or row.required("platform").lower()
    if platform not in PLATFORMS:
        raise row.fail(f"unknown platform {platform!r} (one of: {', '.join(PLATFORMS)})")
    return platform


def accounts(path: Path, platform: str | None) -> Iterator[Record]:
    for row in read_rows(path, ["handle"] if platform else ["platform", "handle"]):
        p = _platform(row, platform)
        yield Record(
            "account",
            str(path),
            row.line,
            {
                "platform": p,
                "handle": row.handle("handle", p),
                "display_name": row.text("display_name"),
                "bio": row.text("bio"),
                "followers_count": row.integer("followers_count"),
                "following_count": row.integer("following_count"),
                "posts_count": row.integer("posts_count"),
                "created_at": row.iso_datetime("created_at"),
                "has_avatar": row.boolean("has_avatar"),
                "url": row.text("url"),
                "verified": row.boolean("verified"),
                "is_private": row.boolean("is_private"),
                "is_bot": row.boolean("is_bot"),
                "extra": {},
            },
        )


def follows(path: Path, platform: str | None) -> Iterator[Record]:
    required = ["follower", "followee"] if platform else ["platform", "follower", "followee"]
    source = str(path)
    for row in read_rows(path, required):
        p = _platform(row, platform)
        a, b = row.positions["follower"], row.positions["followee"]
        # Follows come by the million: parse the cells directly, and go through
        # row.handle (for its error message) only when one is refused.
        follower = parse(p, row.cells[a]) or row.handle("follower", p)
        followee = parse(p, row.cells[b]) or row.handle("followee", p)
        yield Record(
            "follow",
            source,
            row.line,
            {
                "platform": p,
                "follower": follower,
                "followee": followee,
                "followed_at": row.iso_datetime("followed_at"),
            },
        )


def posts(path: Path, platform: str | None) -> Iterator[Record]:
    required = ["post_id", "author", "created_at"]
    for row in read_rows(path, required if platform else ["platform", *required]):
        p = _platform(row, platform)
        yield Record(
            "post",
            str(path),
            row.line,
            {
                "platform": p,
                "post_id": row.required("post_id"),
                "author": row.handle("author", p),
                "created_at": row.iso_datetime("created_at", required=True),
                "in_reply_to_post_id": row.text("in_reply_to_post_id"),
                "in_reply_to_author": row.handle("in_reply_to_author", p, required=False),
                "text": row.text("text"),
                "extra": {},
            },
        )


def snapshots(path: Path, platform: str | None) -> Iterator[Record]:
    required = ["handle", "taken_at"]
    for row in read_rows(path, required if platform else ["platform", *required]):
        p = _platform(row, platform)
        yield Record(
            "snapshot",
            str(path),
            row.line,
            {
                "platform": p,
                "handle": row.handle("handle", p),
                "taken_at": row.iso_datetime("taken_at", required=True),
                "followers_count": row.integer("followers_count"),
                "following_count": row.integer("following_count"),
                "posts_count": row.integer("posts_count"),
            },
        )


READERS = {
    "accounts.csv": accounts,
    "snapshots.csv": snapshots,
    "follows.csv": follows,
    "posts.csv": posts,
}


def read(path: Path, platform: str | None = None) -> Iterator[Record]:
    path = Path(path)
    if path.is_file():
        reader = READERS.get(path.name)
        if reader is None:
            raise FormatError(path, None, f"a dataset file is named one of: {', '.join(FILES)}")
        yield from reader(path, platform)
        return
    if not path.is_dir():
        raise FormatError(path, None, "no such file or folder")
    present = [path / name for name in FILES if (path / name).is_file()]
    if not present:
        raise FormatError(path, None, f"folder holds none of: {', '.join(FILES)}")
    for file in present:
        yield from READERS[file.name](file, platform)
