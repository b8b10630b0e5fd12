"""What every platform client shares: the `Source` protocol, the `Fetched` values an audit
gathers, the progress callback and the configured HTTP client. The platform modules
(`mastodon`, `bluesky`, `x`) import this module, and `genuine.sources` imports them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from genuine.sources.http import HttpClient, SourceError

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
