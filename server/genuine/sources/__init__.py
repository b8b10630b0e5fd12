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
from dataclasses import dataclass, field
from typing import Any, Protocol

from genuine.sources.http import (
    AccountGone,
    BudgetExceeded,
    HttpClient,
    RateLimited,
    SourceError,
)

Progress = Callable[[str, int, int | None], None]  # stage, done, total (None: unknown)


@dataclass
class Fetched:
    """What an audit fetched about one account, as store values."""

    platform: str
    handle: str
    source: str  # e.g. "mastodon:https://mastodon.social", recorded with every row
    account: dict[str, Any]
    followers: list[dict[str, Any]] = field(default_factory=list)  # follower profiles
    following: list[dict[str, Any]] = field(default_factory=list)  # profiles it follows
    posts: list[dict[str, Any]] = field(default_factory=list)  # its posts and replies to them
    notes: list[str] = field(default_factory=list)  # what could not be fetched, in words
    requests: int = 0

    @property
    def follows(self) -> list[dict[str, Any]]:
        """Follow values both ways: followers -> the account -> what it follows (no times:
        no platform API says when a follow was made)."""

        def follow(follower: str, followee: str) -> dict[str, Any]:
            return {
                "platform": self.platform,
                "follower": follower,
                "followee": followee,
                "followed_at": None,
            }

        return [follow(f["handle"], self.handle) for f in self.followers] + [
            follow(self.handle, f["handle"]) for f in self.following
        ]


class Source(Protocol):
    """One platform. `fetch` raises AccountGone, RateLimited or SourceError."""

    platform: str
    http: HttpClient

    def fetch(
        self, handle: str, *, followers: int, posts: int, progress: Progress | None = None
    ) -> Fetched: ...


def http_client(config: Mapping[str, Any], **headers: str) -> HttpClient:
    return HttpClient(
        public_url=config.get("PUBLIC_URL", "http://127.0.0.1:5000"),
        timeout=float(config.get("SOURCE_TIMEOUT", 10.0)),
        retries=int(config.get("SOURCE_RETRIES", 4)),
        budget=int(config.get("SOURCE_BUDGET", 1000)),
        max_wait=float(config.get("SOURCE_MAX_WAIT", 60.0)),
        backoff=float(config.get("SOURCE_BACKOFF", 0.5)),
        headers=headers or None,
    )


class Unsupported(SourceError):
    """No live source for this platform (Instagram; X without a bearer token).

    `setting` names the configuration that would give it one, when there is one: the
    message then speaks to the server's operator, not to the people using the server."""

    def __init__(self, message: str, setting: str | None = None) -> None:
        super().__init__(message)
        self.setting = setting


def _mastodon(config: Mapping[str, Any], handle: str) -> Source:
    from genuine.sources.mastodon import MastodonSource

    return MastodonSource(config, handle)


def _bluesky(config: Mapping[str, Any], handle: str) -> Source:
    from genuine.sources.bluesky import BlueskySource

    return BlueskySource(config)


def _x(config: Mapping[str, Any], handle: str) -> Source:
    from genuine.sources.x import XSource

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
