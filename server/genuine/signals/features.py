"""Profile features for the follower classifier: account value dicts in, float matrix out.

The classifier only sees what any visitor sees on a public profile: counts, dates, whether
there is a picture, a bio, a link, what the handle looks like. Everything here is pure and
deterministic, so the same account always gets the same features at training and scoring time.

Missing values are never filled in. A field the source does not provide (Instagram has no
creation date, InstaFake has no handle text, no link field) becomes NaN in the raw columns and
in every feature computed from it. The classifier then only scores a row with a model whose
feature schema is fully present for that row (one model per schema, see classifier.py), and
reports "no score" rather than guessing. Two deliberate exceptions, both because every supported
format has the column and an empty cell means "none": a `bio` of None counts as an empty bio
and a `url` of None as no link (except in the InstaFake schema, which has no link column).

Counts are heavy-tailed (0 to millions), so they enter as log1p; ratios as differences of logs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np

# Raw columns: plain quantities read from the profile (NaN = unknown). Reasons quote these.
RAW_FIELDS: tuple[str, ...] = (
    "followers",
    "following",
    "posts",
    "age_days",
    "has_avatar",
    "bio_length",
    "has_url",
    "handle_length",
    "handle_digits",
    "is_private",
    "verified",
    "listed",
    "favourites",
    "default_profile",
    "has_banner",
    "geo_enabled",
)

Raw = Mapping[str, np.ndarray]


@dataclass(frozen=True)
class Feature:
    """One model input: a name, how to compute it from raw columns, and which reason it feeds."""

    name: str
    group: str
    compute: Callable[[Raw], np.ndarray]
    description: str


def _log1p(col: str) -> Callable[[Raw], np.ndarray]:
    return lambda r: np.log1p(r[col])


def _same(col: str) -> Callable[[Raw], np.ndarray]:
    return lambda r: np.asarray(r[col], dtype=np.float64)


def _digit_share(r: Raw) -> np.ndarray:
    length = r["handle_length"]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(length > 0, r["handle_digits"] / length, np.where(length == 0, 0.0, np.nan))


def _posts_per_day(r: Raw) -> np.ndarray:
    return np.log1p(r["posts"] / np.maximum(r["age_days"], 1.0))


FEATURES: tuple[Feature, ...] = (
    Feature("log_followers", "audience", _log1p("followers"), "log(1 + followers)"),
    Feature("log_following", "audience", _log1p("following"), "log(1 + accounts followed)"),
    Feature(
        "follow_ratio",
        "audience",
        lambda r: np.log1p(r["following"]) - np.log1p(r["followers"]),
        "log((1 + following) / (1 + followers))",
    ),
    Feature("log_posts", "activity", _log1p("posts"), "log(1 + posts)"),
    Feature(
        "no_posts",
        "activity",
        lambda r: np.where(np.isnan(r["posts"]), np.nan, r["posts"] == 0),
        "1 if the account never posted",
    ),
    Feature("log_age_days", "age", _log1p("age_days"), "log(1 + account age in days)"),
    Feature("posts_per_day", "activity", _posts_per_day, "log(1 + posts / max(age in days, 1))"),
    Feature("has_avatar", "avatar", _same("has_avatar"), "1 if there is a profile picture"),
    Feature("log_bio_length", "bio", _log1p("bio_length"), "log(1 + characters in the bio)"),
    Feature("has_url", "url", _same("has_url"), "1 if the profile links a website"),
    Feature("handle_length", "handle", _same("handle_length"), "characters in the handle"),
    Feature("handle_digit_share", "handle", _digit_share, "share of the handle that is digits"),
    Feature("is_private", "private", _same("is_private"), "1 if the account is private"),
    Feature("verified", "verified", _same("verified"), "1 if the platform verified it"),
    Feature("log_listed", "listed", _log1p("listed"), "log(1 + lists the account is on)"),
    Feature("log_favourites", "likes", _log1p("favourites"), "log(1 + posts it liked)"),
    Feature(
        "default_profile", "theme", _same("default_profile"), "1 if the profile theme is untouched"
    ),
    Feature("has_banner", "theme", _same("has_banner"), "1 if there is a banner image"),
    Feature("geo_enabled", "geo", _same("geo_enabled"), "1 if location tagging is on"),
)
FEATURE_NAMES: tuple[str, ...] = tuple(f.name for f in FEATURES)
FEATURE_INDEX: dict[str, int] = {name: i for i, name in enumerate(FEATURE_NAMES)}


@dataclass
class FeatureMatrix:
    """Features for n accounts: X (n x len(names)), the raw columns reasons quote, platforms."""

    X: np.ndarray
    raw: dict[str, np.ndarray]
    platforms: np.ndarray
    handles: list[str | None] = field(default_factory=list)
    names: tuple[str, ...] = FEATURE_NAMES

    def __len__(self) -> int:
        return self.X.shape[0]

    def columns(self, names: Iterable[str]) -> np.ndarray:
        """The sub-matrix for `names`, in that order (a view-free copy)."""
        return self.X[:, [FEATURE_INDEX[n] for n in names]]


def _num(value: Any) -> float:
    if value is None:
        return math.nan
    return float(value)


def _flag(value: Any) -> float:
    if value is None:
        return math.nan
    return 1.0 if value else 0.0


def _age_days(values: Mapping[str, Any], reference_time: datetime) -> float:
    created = values.get("created_at")
    if created is None:
        return math.nan
    extra = values.get("extra") or {}
    observed = extra.get("observed_at") or reference_time
    if isinstance(observed, str):  # JSON in the store keeps it as ISO 8601 text
        observed = datetime.fromisoformat(observed)
    if observed.tzinfo is None:
        observed = observed.replace(tzinfo=UTC)
    if created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    return max((observed - created).total_seconds() / 86400.0, 0.0)


def raw_row(values: Mapping[str, Any], reference_time: datetime) -> list[float]:
    """The RAW_FIELDS of one account value dict (see genuine.formats), NaN where unknown."""
    extra = values.get("extra") or {}
    instafake = "username_length" in extra
    if instafake:
        handle_length = _num(extra.get("username_length"))
        handle_digits = _num(extra.get("username_digits"))
        bio_length = _num(extra.get("bio_length"))
        has_url = math.nan
    else:
        handle = values.get("handle")
        if handle:
            name = handle.split("@", 1)[0]
            handle_length = float(len(name))
            handle_digits = float(sum(ch.isdigit() for ch in name))
        else:
            handle_length = handle_digits = math.nan
        bio_length = float(len(values.get("bio") or ""))
        has_url = 1.0 if values.get("url") else 0.0
    return [
        _num(values.get("followers_count")),
        _num(values.get("following_count")),
        _num(values.get("posts_count")),
        _age_days(values, reference_time),
        _flag(values.get("has_avatar")),
        bio_length,
        has_url,
        handle_length,
        handle_digits,
        _flag(values.get("is_private")),
        _flag(values.get("verified")),
        _num(extra.get("listed_count")),
        _num(extra.get("favourites_count")),
        _flag(extra.get("default_profile")),
        _flag(extra.get("has_banner")),
        _flag(extra.get("geo_enabled")),
    ]


def from_raw(
    raw: Mapping[str, np.ndarray],
    platforms: np.ndarray | None = None,
    handles: list[str | None] | None = None,
) -> FeatureMatrix:
    """Compute every feature from raw columns (arrays of equal length, NaN = unknown)."""
    cols = {k: np.asarray(raw[k], dtype=np.float64) for k in RAW_FIELDS}
    n = len(cols["followers"])
    X = np.empty((n, len(FEATURES)), dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        for j, feat in enumerate(FEATURES):
            X[:, j] = feat.compute(cols)
    if platforms is None:
        platforms = np.full(n, "", dtype=object)
    return FeatureMatrix(X=X, raw=cols, platforms=platforms, handles=handles or [None] * n)


def build_features(
    accounts: Iterable[Mapping[str, Any]], reference_time: datetime | None = None
) -> FeatureMatrix:
    """Features for account value dicts (the `values` of account records from genuine.formats).

    Account age is measured at `extra["observed_at"]` when the record says when it was
    observed (the cresci files do), else at `reference_time` (default: now, UTC), because an
    account's age only means something relative to when its counts were read.
    """
    ref = reference_time or datetime.now(UTC)
    rows: list[list[float]] = []
    platforms: list[str] = []
    handles: list[str | None] = []
    for values in accounts:
        rows.append(raw_row(values, ref))
        platforms.append(values.get("platform") or "")
        handles.append(values.get("handle"))
    arr = np.array(rows, dtype=np.float64).reshape(len(rows), len(RAW_FIELDS))
    raw = {name: arr[:, i] for i, name in enumerate(RAW_FIELDS)}
    return from_raw(raw, np.array(platforms, dtype=object), handles)


def _n(value: float) -> str:
    return f"{int(value):,}"


def _audience(r: Mapping[str, float]) -> tuple[str, str]:
    text = f"follows {_n(r['following'])} accounts, followed by {_n(r['followers'])}"
    if r["following"] >= 100 and r["following"] > 2 * r["followers"]:
        return "follows_many", text
    if r["followers"] < 30:
        return "few_followers", text
    return "audience", text


def _activity(r: Mapping[str, float]) -> tuple[str, str]:
    if r["posts"] == 0:
        return "never_posted", "never posted"
    text = f"posted {_n(r['posts'])} times"
    code = "few_posts" if r["posts"] < 20 else "posts"
    if not math.isnan(r["age_days"]) and r["age_days"] >= 1:
        per_day = r["posts"] / r["age_days"]
        text += f" ({per_day:.2g} a day)"
        if code == "posts" and per_day < 0.1:
            code = "rarely_posts"
    return code, text


def _age(r: Mapping[str, float]) -> tuple[str, str]:
    days = r["age_days"]
    code = "new_account" if days < 365 else "account_age"
    if days < 60:
        return code, f"account {_n(days)} days old"
    if days < 730:
        return code, f"account {days / 30.44:.0f} months old"
    return code, f"account {days / 365.25:.1f} years old"


def _handle(r: Mapping[str, float]) -> tuple[str, str]:
    digits, length = int(r["handle_digits"]), int(r["handle_length"])
    if digits == 0:
        return "handle", f"handle of {length} characters, no digits"
    return "handle_digits", f"handle has {digits} digits in {length} characters"


def _theme(r: Mapping[str, float]) -> tuple[str, str]:
    parts = []
    if r["default_profile"] == 1:
        parts.append("default profile theme")
    elif r["default_profile"] == 0:
        parts.append("customised profile theme")
    if r["has_banner"] == 1:
        parts.append("a banner image")
    elif r["has_banner"] == 0:
        parts.append("no banner image")
    code = "default_theme" if r["default_profile"] == 1 or r["has_banner"] == 0 else "custom_theme"
    return code, ", ".join(parts) or "profile theme unknown"


def _flagged(col: str, yes: tuple[str, str], no: tuple[str, str]):
    return lambda r: yes if r[col] == 1 else no


def _counted(col: str, code: str, none: str, some: str):
    return lambda r: (f"no_{code}", none) if r[col] == 0 else (code, some.format(_n(r[col])))


_DESCRIBE: dict[str, Callable[[Mapping[str, float]], tuple[str, str]]] = {
    "audience": _audience,
    "activity": _activity,
    "age": _age,
    "avatar": _flagged(
        "has_avatar", ("has_avatar", "has a profile picture"), ("no_avatar", "no profile picture")
    ),
    "bio": lambda r: (
        ("no_bio", "empty bio")
        if r["bio_length"] == 0
        else ("bio", f"bio of {_n(r['bio_length'])} characters")
    ),
    "url": _flagged("has_url", ("has_url", "links a website"), ("no_url", "no website link")),
    "handle": _handle,
    "private": _flagged("is_private", ("private", "private account"), ("public", "public account")),
    "verified": _flagged(
        "verified", ("verified", "verified by the platform"), ("not_verified", "not verified")
    ),
    "listed": _counted("listed", "listed", "on nobody's lists", "on {} lists"),
    "likes": _counted("favourites", "likes", "never liked a post", "liked {} posts"),
    "theme": _theme,
    "geo": _flagged(
        "geo_enabled", ("geo_on", "location tagging on"), ("geo_off", "location tagging off")
    ),
}


def describe(group: str, raw: Mapping[str, float]) -> tuple[str, str]:
    """(code, plain words) for one feature group of one account, quoting its own numbers.

    The words state facts, so the same sentence reads right as a reason for suspicion (on a
    high score) or for trust (on a low one); the score's direction is said elsewhere.
    """
    return _DESCRIBE[group](raw)
