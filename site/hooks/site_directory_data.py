"""Load and validate the directory export (the contract in docs-notes/HELPERS.md).

Every entry is checked before a page is written: a consultant listing is a claim made
in our name, so a missing field, a link that is not http(s) or a repeated slug stops
the build with a message that names the entry, rather than publishing something half
right. The strings stay as the consultants wrote them; escaping happens when rendering.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mkdocs.exceptions import PluginError

from genuine import vocabulary

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LEVELS = {badge: set(levels) for badge, levels in vocabulary.LEVELS.items()}
OWNERSHIP = {"verified", "unverified", "unverifiable"}
REQUIRED = ("slug", "name", "headline", "bio_html", "services", "regions", "languages")
REQUIRED += ("accounts", "case_studies", "review", "published_at")


class EntryError(ValueError):
    """A problem with one field of one entry; the caller adds which entry."""


def load(path: Path) -> dict[str, Any]:
    """Read the export at `path` and return it with every consultant validated.

    Raises PluginError (which fails `mkdocs build`) naming the file and the entry.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PluginError(
            f"directory export not found: {path} (run `genuine directory export --output "
            f"{path}` or set GENUINE_DIRECTORY_JSON)"
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PluginError(f"directory export {path} is not readable JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("consultants"), list):
        raise PluginError(f"directory export {path}: expected an object with a 'consultants' list")
    seen: dict[str, int] = {}
    for index, entry in enumerate(data["consultants"]):
        slug = entry.get("slug") if isinstance(entry, dict) else None
        where = f"consultants[{index}]" + (f" (slug {slug!r})" if isinstance(slug, str) else "")
        try:
            check_entry(entry)
        except EntryError as exc:
            raise PluginError(f"directory export {path}: {where}: {exc}") from None
        if slug in seen:
            raise PluginError(
                f"directory export {path}: {where}: duplicate slug, "
                f"already used by consultants[{seen[slug]}]"
            )
        seen[slug] = index
    data["synthetic"] = bool(data.get("synthetic", False))
    return data


def check_entry(entry: Any) -> None:
    """Raise EntryError for the first problem found in one consultant object."""
    if not isinstance(entry, dict):
        raise EntryError("not an object")
    for key in REQUIRED:
        if key not in entry or entry[key] is None:
            raise EntryError(f"missing required field {key!r}")
    if not isinstance(entry["slug"], str) or not SLUG.match(entry["slug"]):
        raise EntryError(f"slug {entry['slug']!r} must be lower-case letters, digits and hyphens")
    for key in ("name", "headline", "bio_html"):
        _text(entry[key], key, allow_empty=key != "name")
    for key in ("services", "regions", "languages"):
        items = _list(entry[key], key)
        for i, item in enumerate(items):
            _text(item, f"{key}[{i}]", allow_empty=False)
    _url(entry.get("website"), "website", optional=True)
    for i, account in enumerate(_list(entry["accounts"], "accounts")):
        _account(account, f"accounts[{i}]")
    for i, study in enumerate(_list(entry["case_studies"], "case_studies")):
        where = f"case_studies[{i}]"
        _dict(study, where)
        _text(study.get("title"), f"{where}.title", allow_empty=False)
        _text(study.get("summary"), f"{where}.summary")
        _url(study.get("url"), f"{where}.url", optional=True)
    review = _dict(entry["review"], "review")
    reviewers = review.get("reviewers")
    if not isinstance(reviewers, int) or isinstance(reviewers, bool) or reviewers < 0:
        raise EntryError(f"review.reviewers must be a whole number, got {reviewers!r}")
    _date(review.get("approved_at"), "review.approved_at")
    _text(review.get("summary"), "review.summary")
    _date(entry["published_at"], "published_at")
    _date(entry.get("last_audit"), "last_audit", optional=True)


def _account(account: Any, where: str) -> None:
    _dict(account, where)
    _text(account.get("platform"), f"{where}.platform", allow_empty=False)
    _text(account.get("handle"), f"{where}.handle", allow_empty=False)
    owned = account.get("ownership")
    if owned is not None:  # absent in exports made before ownership checks
        _dict(owned, f"{where}.ownership")
        if owned.get("status") not in OWNERSHIP:
            raise EntryError(f"{where}.ownership.status must be one of {sorted(OWNERSHIP)}")
        if owned.get("verified") is not (owned["status"] == "verified"):
            raise EntryError(f"{where}.ownership.verified must match its status")
        _date(owned.get("checked_at"), f"{where}.ownership.checked_at", optional=True)
        if owned["status"] == "verified" and owned.get("checked_at") is None:
            raise EntryError(f"{where}.ownership.checked_at is required when verified")
    card = account.get("card")
    if card is None:
        return
    _dict(card, f"{where}.card")
    _date(card.get("computed_at"), f"{where}.card.computed_at")
    _url(card.get("report_url"), f"{where}.card.report_url", optional=True)
    badges = _dict(card.get("badges"), f"{where}.card.badges")
    for name, badge in badges.items():
        at = f"{where}.card.badges.{name}"
        if name not in LEVELS:
            raise EntryError(f"{at}: unknown badge")
        _dict(badge, at)
        if badge.get("level") not in LEVELS[name]:
            raise EntryError(f"{at}.level must be one of {sorted(LEVELS[name])}")
        for key in ("score", "answered_share", "density"):
            value = badge.get(key)
            if value is not None and not _share(value):
                raise EntryError(f"{at}.{key} must be a number from 0 to 1, got {value!r}")
        interval = badge.get("interval")
        if interval is not None and not (
            isinstance(interval, list) and len(interval) == 2 and all(map(_share, interval))
        ):
            raise EntryError(f"{at}.interval must be two numbers from 0 to 1")
        for key in ("sample_size", "median_reply_seconds", "ring_size"):
            value = badge.get(key)
            if value is not None and (not _number(value) or value < 0):
                raise EntryError(f"{at}.{key} must be a non-negative number, got {value!r}")
        for i, reason in enumerate(_list(badge.get("reasons", []), f"{at}.reasons")):
            _dict(reason, f"{at}.reasons[{i}]")
            _text(reason.get("text"), f"{at}.reasons[{i}].text")


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value


def _share(value: Any) -> bool:
    return _number(value) and 0 <= value <= 1


def _dict(value: Any, where: str) -> dict:
    if not isinstance(value, dict):
        raise EntryError(f"{where} must be an object")
    return value


def _list(value: Any, where: str) -> list:
    if not isinstance(value, list):
        raise EntryError(f"{where} must be a list")
    return value


def _text(value: Any, where: str, *, allow_empty: bool = True) -> None:
    if not isinstance(value, str):
        raise EntryError(f"{where} must be a string")
    if not allow_empty and not value.strip():
        raise EntryError(f"{where} must not be empty")


def _url(value: Any, where: str, *, optional: bool = False) -> None:
    if value is None and optional:
        return
    if not isinstance(value, str):
        raise EntryError(f"{where} must be a URL string")
    parts = urlsplit(value.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise EntryError(f"{where}: {value!r} is not an http(s) URL")


def _date(value: Any, where: str, *, optional: bool = False) -> None:
    if value is None and optional:
        return
    if not isinstance(value, str):
        raise EntryError(f"{where} must be an ISO 8601 date")
    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise EntryError(f"{where}: {value!r} is not an ISO 8601 date") from None
