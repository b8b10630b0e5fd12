"""InstaFake (Akyon & Kalfaoglu 2019): Instagram accounts as numeric columns.

The dataset has no handles and no biography text, only their lengths and digit
counts, which go to `extra` for the classifier. Such accounts are scored by
`genuine classify` but cannot be stored (the store keys accounts by handle).
The label column `isFake` is never read.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from genuine.formats.csvio import Record, Row, read_rows

REQUIRED = [
    "userFollowerCount",
    "userFollowingCount",
    "userBiographyLength",
    "userMediaCount",
    "userHasProfilPic",
    "userIsPrivate",
    "usernameDigitCount",
    "usernameLength",
]


def _count(row: Row, name: str) -> int:
    value = row.integer(name)
    if value is None:
        raise row.fail(f"column {name!r} is empty")
    return value


def read(path: Path, platform: str | None = None) -> Iterator[Record]:
    platform = platform or "instagram"
    for row in read_rows(Path(path), REQUIRED):
        yield Record(
            "account",
            str(path),
            row.line,
            {
                "platform": platform,
                "handle": None,
                "display_name": None,
                "bio": None,
                "followers_count": _count(row, "userFollowerCount"),
                "following_count": _count(row, "userFollowingCount"),
                "posts_count": _count(row, "userMediaCount"),
                "created_at": None,
                "has_avatar": row.boolean("userHasProfilPic"),
                "url": None,
                "verified": None,
                "is_private": row.boolean("userIsPrivate"),
                "is_bot": None,
                "extra": {
                    "username_length": _count(row, "usernameLength"),
                    "username_digits": _count(row, "usernameDigitCount"),
                    "bio_length": _count(row, "userBiographyLength"),
                },
            },
        )
