"""Twitter API v1.1 `users` objects flattened to CSV, as in the cresci-2015 files.

Booleans are `1` (or `1.0`, `True`) for true and empty for false; dates look like
`Fri Apr 06 10:58:22 +0000 2007`. Label columns (`dataset`, `label`) are never read.
Documentation of the fields: Twitter API v1.1 "User object" (developer.x.com, legacy).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from genuine.formats.csvio import Record, Row, as_utc, read_rows

REQUIRED = ["screen_name", "followers_count", "friends_count", "statuses_count", "created_at"]


def _flag(row: Row, name: str) -> bool:
    """v1.1 CSV dumps write true as 1/1.0/True and false as empty (or 0/False)."""
    return bool(row.boolean(name, empty=False))


def _observed_at(row: Row) -> datetime | None:
    value = row.text("updated")
    if value is None:
        return None
    try:
        return as_utc(datetime.fromisoformat(value))
    except ValueError:
        raise row.fail(f"column 'updated' is not a date: {value[:40]!r}") from None


def _utc_offset(row: Row) -> int | None:
    """Seconds east of UTC, within a day either way."""
    value = row.text("utc_offset")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not -86400 <= seconds <= 86400:
        raise row.fail(f"column 'utc_offset' is not seconds within a day: {value[:40]!r}")
    return int(seconds)


def read(path: Path, platform: str | None = None) -> Iterator[Record]:
    platform = platform or "x"
    for row in read_rows(Path(path), REQUIRED):
        image = row.text("profile_image_url") or row.text("profile_image_url_https")
        yield Record(
            "account",
            str(path),
            row.line,
            {
                "platform": platform,
                "handle": row.handle("screen_name", platform),
                "display_name": row.text("name"),
                "bio": row.text("description"),
                "followers_count": row.integer("followers_count"),
                "following_count": row.integer("friends_count"),
                "posts_count": row.integer("statuses_count"),
                "created_at": row.twitter_datetime("created_at", required=True),
                # The default egg avatar means no picture of one's own.
                "has_avatar": bool(image) and not _flag(row, "default_profile_image"),
                "url": row.text("url"),
                "verified": _flag(row, "verified"),
                "is_private": _flag(row, "protected"),
                "is_bot": None,
                "extra": {
                    "listed_count": row.integer("listed_count"),
                    "favourites_count": row.integer("favourites_count"),
                    "default_profile": _flag(row, "default_profile"),
                    "geo_enabled": _flag(row, "geo_enabled"),
                    "has_banner": row.text("profile_banner_url") is not None,
                    "lang": row.text("lang"),
                    "location": row.text("location"),
                    "time_zone": row.text("time_zone"),
                    "utc_offset": _utc_offset(row),
                    "observed_at": _observed_at(row),
                },
            },
        )
