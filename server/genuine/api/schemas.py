"""Request and response models: they validate requests and generate the OpenAPI document."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    create_model,
)
from typing_extensions import TypedDict  # pydantic reads only this one's on Python 3.11

from genuine.controls import PLAIN, PLAIN_NOT_BLANK
from genuine.handles import HINTS, MAX_LENGTH, PLATFORMS, SYNTAX

Platform = Literal[PLATFORMS]  # type: ignore[valid-type]


def _account_model(platform: str, name: str) -> type[BaseModel]:
    """One model per platform, so the OpenAPI document states each platform's handle syntax."""
    handle = Annotated[
        str,
        StringConstraints(pattern=f"^@?({SYNTAX[platform]})$", max_length=MAX_LENGTH[platform]),
        AfterValidator(lambda value: value.lstrip("@").lower()),
        Field(description=f"{HINTS[platform]}; case-insensitive, a leading @ is dropped"),
    ]
    return create_model(
        name,
        __config__=ConfigDict(extra="forbid"),
        platform=(Literal[platform], ...),  # type: ignore[valid-type]
        handle=(handle, ...),
    )


XAccount = _account_model("x", "XAccount")
BlueskyAccount = _account_model("bluesky", "BlueskyAccount")
MastodonAccount = _account_model("mastodon", "MastodonAccount")
InstagramAccount = _account_model("instagram", "InstagramAccount")
AccountRef = Annotated[
    XAccount | BlueskyAccount | MastodonAccount | InstagramAccount,  # type: ignore[valid-type]
    Field(discriminator="platform"),
]


# The longest handle a lookup item may hold; whether it is one on its platform is answered
# per item (LookupResponse.invalid), so one bad handle scraped from a page fails no batch.
LOOKUP_HANDLE_MAX = 512


# An item of a batch lookup. A TypedDict, not a model: the view reads two keys of up to 100
# items, and building 50 model instances was a third of the body's parse (issue 16); the JSON
# schema, the checks and the error locations are a model's. (No docstring: it would become
# the schema's description in the OpenAPI document.)
class LookupAccount(TypedDict):
    __pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[misc]

    platform: Platform
    handle: Annotated[
        str,
        Field(
            max_length=LOOKUP_HANDLE_MAX,
            pattern=PLAIN,
            description="The handle as found (case-insensitive, a leading @ is dropped). One "
            "that is not a handle on its platform ("
            + "; ".join(f"{p}: {h}" for p, h in HINTS.items())
            + ") is answered in `invalid`, not refused with the batch",
        ),
    ]


class LookupRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    accounts: list[LookupAccount] = Field(min_length=1, max_length=100)


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


class InvalidAccount(BaseModel):
    platform: Platform
    handle: str = Field(description="As sent")
    code: Literal["invalid_handle"]
    detail: str


class LookupResponse(BaseModel):
    found: list[Card]
    not_found: list[AccountRef]
    invalid: list[InvalidAccount] = Field(
        description="Items whose handle cannot be one on their platform, each with why; "
        "the other items are answered as usual"
    )


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


class IngestLag(BaseModel):
    cursor: str  # time of the last event committed (ISO 8601)
    last_batch: str  # when it was committed
    lag_seconds: float  # now minus cursor


class Health(BaseModel):
    status: Literal["ok", "failing"]
    checks: dict[str, Any]
    ingest: IngestLag | None = None  # only when a Jetstream ingester writes here


class ProblemModel(BaseModel):
    type: str = "about:blank"
    title: str
    status: int
    code: str
    detail: str


Text = Annotated[str, StringConstraints(pattern=PLAIN_NOT_BLANK)]  # genuine.controls


class DisputeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    account: AccountRef
    badge: Literal["follower_purchase_risk", "reply_rate", "follow_back_ring"] | None = None
    reason: Annotated[Text, StringConstraints(min_length=10, max_length=4000)]
    contact: Annotated[Text, StringConstraints(min_length=3, max_length=200)]


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


HexPrefix = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9a-fA-F]{1,64}$"),
    AfterValidator(str.lower),
    Field(description="Hex digits of sha256('platform:handle'), at least meta.prefix_length"),
]


class RangesRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prefixes: list[HexPrefix] = Field(
        min_length=1,
        max_length=100,
        description="Up to 100 prefixes (case-insensitive; repeats are answered once)",
    )
    compact: StrictBool = Field(
        default=False,
        description="Answer compact entries (levels and the numbers a badge shows) "
        "instead of full cards",
    )


class CompactRisk(BaseModel):
    level: Literal["low", "medium", "high", "unknown"]
    score: float | None = Field(default=None, description="Absent when unknown")


class CompactReply(BaseModel):
    level: Literal["responsive", "mixed", "unresponsive", "unknown"]
    answered_share: float | None = Field(default=None, description="Absent when unknown")


class CompactRing(BaseModel):
    level: Literal["member", "not_member", "unknown"]
    ring_size: int | None = Field(default=None, description="Present for members only")


class CompactBadges(BaseModel):
    follower_purchase_risk: CompactRisk | None = None
    reply_rate: CompactReply | None = None
    follow_back_ring: CompactRing | None = None


class CompactCard(BaseModel):
    """What a badge pill shows, and nothing else: ~120 bytes instead of a ~1 KB card.

    The same shape as the card, cut down: each badge keeps its level and the one number
    its pill shows (score, answered_share, ring_size; left out when null). No handle,
    platform or dates: the client knows whom it hashed, and the popover fetches the full
    card (GET /badges/range/<prefix>) only when it is opened. `synthetic` is present
    (true) only for the demo's made-up cards.
    """

    badges: CompactBadges
    synthetic: bool | None = Field(default=None, description="True on demo data; else absent")


class RangesResponse(BaseModel):
    buckets: dict[str, dict[str, Card | CompactCard]] = Field(
        description="One bucket per requested prefix (lower case): entries keyed by the rest "
        "of sha256('platform:handle') after that prefix; full cards, or compact entries "
        "when the request said compact"
    )
