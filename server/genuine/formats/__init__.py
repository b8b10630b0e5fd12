"""File formats in: one module per format, all yielding `Record`s in file order.

Adding a format is one module plus one line in `FORMATS`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from genuine.formats import genuine_folder, instafake, twcs, twitter_v1
from genuine.formats.csvio import FormatError, Record
from genuine.handles import PLATFORMS

Reader = Callable[[Path, str | None], Iterator[Record]]

FORMATS: dict[str, Reader] = {
    "genuine": genuine_folder.read,
    "twitter-v1": twitter_v1.read,
    "instafake": instafake.read,
    "twcs": twcs.read,
}


def read(path: Path | str, fmt: str = "genuine", platform: str | None = None) -> Iterator[Record]:
    """Stream the records of `path` in format `fmt`; raises FormatError on bad input."""
    try:
        reader = FORMATS[fmt]
    except KeyError:
        raise FormatError(
            path, None, f"unknown format {fmt!r} (one of: {', '.join(FORMATS)})"
        ) from None
    if platform is not None and platform not in PLATFORMS:
        raise FormatError(
            path, None, f"unknown platform {platform!r} (one of: {', '.join(PLATFORMS)})"
        )
    return reader(Path(path), platform)


__all__ = ["FORMATS", "FormatError", "Record", "read"]
