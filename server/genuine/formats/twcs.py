"""Customer Support on Twitter (Thought Vector, 2017): tweets between brands and customers.

Columns: tweet_id, author_id, inbound, created_at (Twitter's date form), text,
response_tweet_id, in_response_to_tweet_id. Brands have a name as author_id,
customers a number. A text may hold newlines (quoted), which the CSV reader keeps.
The author replied to is found by looking up `in_response_to_tweet_id` among the
file's tweets; a reply to a tweet outside the file keeps the post id only.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from genuine.formats.csvio import Record, read_rows
from genuine.handles import normalise

REQUIRED = ["tweet_id", "author_id", "inbound", "created_at", "text", "in_response_to_tweet_id"]


def _tweet_id(value: str | None) -> str | None:
    # pandas wrote ids of a float column as "3.0".
    if value is None:
        return None
    return value[:-2] if value.endswith(".0") else value


def _authors(path: Path) -> dict[str, str]:
    """tweet_id -> author for the whole file: one pass, two short strings per tweet."""
    return {
        _tweet_id(row.required("tweet_id")): normalise(row.required("author_id"))
        for row in read_rows(path, REQUIRED)
    }


def read(path: Path, platform: str | None = None) -> Iterator[Record]:
    platform = platform or "x"
    path = Path(path)
    authors = _authors(path)
    for row in read_rows(path, REQUIRED):
        reply_to = _tweet_id(row.text("in_response_to_tweet_id"))
        yield Record(
            "post",
            str(path),
            row.line,
            {
                "platform": platform,
                "post_id": _tweet_id(row.required("tweet_id")),
                "author": row.handle("author_id", platform),
                "created_at": row.twitter_datetime("created_at", required=True),
                "in_reply_to_post_id": reply_to,
                "in_reply_to_author": authors.get(reply_to) if reply_to else None,
                "text": row.text("text"),
                "extra": {"inbound": bool(row.boolean("inbound"))},
            },
        )
