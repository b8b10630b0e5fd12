"""Live platform clients behind one protocol: fetch what an audit needs about one account.

Each platform is one module (`mastodon`, `bluesky`, `x`) and one line in `SOURCES`.
A source turns the platform's JSON into the same value dicts the file formats
produce (see genuine.formats.genuine_folder): account, follow and post values with
normalised handles, so the store and the signals need nothing new.

Instagram has no open API for other people's followers or posts: its accounts come
only from dataset imports (`genuine import --format instafake`), never from audits.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from genuine.sources.base import Fetched, Progress, Source, Unsupported
from genuine.sources.bluesky import BlueskySource
from genuine.sources.http import (
    AccountGone,
    BudgetExceeded,
    HttpClient,
    RateLimited,
    SourceError,
)
from genuine.sources.mastodon import MastodonSource
from genuine.sources.x import XSource


def _mastodon(config: Mapping[str, Any], handle: str) -> Source:
    return MastodonSource(config, handle)


def _bluesky(config: Mapping[str, Any], handle: str) -> Source:
    return BlueskySource(config)


def _x(config: Mapping[str, Any], handle: str) -> Source:
    return XSource(config)


SOURCES: dict[str, Callable[[Mapping[str, Any], str], Source]] = {
    "mastodon": _mastodon,
    "bluesky": _bluesky,
    "x": _x,
}


def unsupported(platform: str, config: Mapping[str, Any]) -> Unsupported | None:
    """Why this server cannot audit `platform` live with `config`; None when it can.
    The one place that says so (genuine.pipeline.can_audit words it for each audience)."""
    if platform == "instagram":
        return Unsupported("Instagram has no open API: its accounts come from dataset imports only")
    if platform not in SOURCES:
        return Unsupported(f"no live source for platform {platform!r}")
    if platform == "x" and not config.get("X_BEARER_TOKEN"):
        return Unsupported(
            "audits of X accounts need GENUINE_X_BEARER_TOKEN (API v2)", "X_BEARER_TOKEN"
        )
    return None


def available(config: Mapping[str, Any]) -> list[str]:
    """Platforms this server can audit live, with its configuration."""
    return [p for p in SOURCES if unsupported(p, config) is None]


def open_source(platform: str, config: Mapping[str, Any], handle: str) -> Source:
    """The source that can audit `handle`; raises Unsupported when there is none."""
    if (why := unsupported(platform, config)) is not None:
        raise why
    return SOURCES[platform](config, handle)


__all__ = [
    "SOURCES",
    "AccountGone",
    "BudgetExceeded",
    "Fetched",
    "HttpClient",
    "Progress",
    "RateLimited",
    "Source",
    "SourceError",
    "Unsupported",
    "available",
    "open_source",
    "unsupported",
]
