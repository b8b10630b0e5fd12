"""Request and response models: they validate requests and generate the OpenAPI document."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from genuine.models.accounts import PLATFORMS, normalise_handle

Platform = Literal["x", "bluesky", "mastodon", "instagram"]

# What each platform allows in a handle (after normalisation: lower case, no @).
HANDLE_PATTERNS = {
    "x": re.compile(r"[a-z0-9_]{1,15}"),
    "instagram": re.compile(r"[a-z0-9._]{1,30}"),
    # Bluesky handles are domain names (atproto.com/specs/handle).
    "bluesky": re.compile(
        r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}"
    ),
    # Mastodon: username@instance (docs.joinmastodon.org, WebFinger acct: URIs).
    "mastodon": re.compile(r"[a-z0-9_]{1,30}@([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"),
}
HANDLE_HINTS = {
    "x": "1 to 15 letters, digits or underscores",
    "instagram": "1 to 30 letters, digits, periods or underscores",
    "bluesky": "a domain name such as alice.bsky.social",
    "mastodon": "user@instance, such as gargron@mastodon.social",
}


def check_handle(platform: str, handle: str) -> str | None:
    """The normalised handle, or None when it cannot be one on that platform."""
    if platform not in PLATFORMS or len(handle) > 300:
        return None
    normal = normalise_handle(platform, handle)
    return normal if HANDLE_PATTERNS[platform].fullmatch(normal) else None


class AccountRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    platform: Platform
    handle: Annotated[str, StringConstraints(min_length=1, max_length=300)]

    @field_validator("handle")
    @classmethod
    def _handle(cls, value: str, info) -> str:
        platform = info.data.get("platform")
        if platform is None:
            return value
        normal = check_handle(platform, value)
        if normal is None:
            raise ValueError(f"not a {platform} handle: expected {HANDLE_HINTS[platform]}")
        return normal


class LookupRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    accounts: list[AccountRef] = Field(min_length=1, max_length=100)


class Reason(BaseModel):
    code: str
    text: str


class Badge(BaseModel):
    model_config = ConfigDict(extra="allow")

    level: str
    reasons: list[Reason]


class Card(BaseModel):
    """The badge card of DESIGN.md; each badge carries its own figures besides these."""

    model_config = ConfigDict(extra="allow")

    platform: Platform
    handle: str
    computed_at: datetime
    badges: dict[str, Badge]
    model_version: str
    report_url: str


class LookupResponse(BaseModel):
    found: list[Card]
    not_found: list[AccountRef]


class RangeResponse(BaseModel):
    prefix: str
    cards: dict[str, Card] = Field(
        description="Cards keyed by the rest of sha256('platform:handle') after the prefix"
    )


class Limits(BaseModel):
    lookup_batch: int
    range_prefix_min: int


class Meta(BaseModel):
    prefix_length: int = Field(description="Hex digits a private lookup sends (see /badges/range)")
    platforms: list[str]
    model_version: str
    limits: Limits
    cards: int
    synthetic: bool = Field(description="True when the data is the demo's synthetic world")


class Health(BaseModel):
    status: Literal["ok", "failing"]
    checks: dict[str, Any]


class ProblemModel(BaseModel):
    type: str = "about:blank"
    title: str
    status: int
    code: str
    detail: str


class DisputeCreate(AccountRef):
    badge: Literal["follower_purchase_risk", "reply_rate", "follow_back_ring"] | None = None
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=4000)]
    contact: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=200)]


class DisputePublic(BaseModel):
    id: int
    platform: str
    handle: str
    badge: str | None
    reason: str
    contact: str
    status: str
    created_at: datetime
    resolved_at: datetime | None
    resolution: str | None


class DisputeList(BaseModel):
    disputes: list[DisputePublic]


class OpenDispute(BaseModel):
    id: int
    badge: str | None
    reason: str
    created_at: datetime


class ReportModel(BaseModel):
    card: Card
    evidence: dict[str, Any] = Field(
        description="follower_probabilities, most_suspicious, snapshots, jumps, replies, ring"
    )
    disputes: list[OpenDispute]
