"""Turn signal results into badge cards (DESIGN.md): levels, numbers, reasons, versions.

Every badge is present on every card. When evidence is missing the level is
`unknown` and a reason says what is missing: the card never guesses silently.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from genuine.signals import SIGNALS, classifier
from genuine.version import __version__


def model_version() -> str:
    """Scoring code and follower model together: a card is reproducible from both."""
    return f"genuine-{__version__}+{classifier.load().version}"


def unknown_reply(reason_code: str, text: str) -> dict[str, Any]:
    return {
        "level": "unknown",
        "answered_share": None,
        "interval": None,
        "median_reply_seconds": None,
        "sample_size": 0,
        "equity": None,
        "reasons": [{"code": reason_code, "text": text}],
    }


def report_url(public_url: str, platform: str, handle: str) -> str:
    return f"{public_url.rstrip('/')}/report/{platform}/{handle}"


def card(
    platform: str,
    handle: str,
    computed_at: datetime,
    *,
    badges: dict[str, dict[str, Any]],
    version: str,
    public_url: str,
    synthetic: bool = False,
) -> dict[str, Any]:
    """A badge card: `badges` holds one section per registered signal (`SIGNALS`), each
    its result's to_card(); they are laid out in the registry's order."""
    if set(badges) != set(SIGNALS):
        raise ValueError(f"card sections {sorted(badges)} are not the signals {sorted(SIGNALS)}")
    made = {
        "platform": platform,
        "handle": handle,
        "computed_at": computed_at.isoformat(),
        "badges": {name: badges[name] for name in SIGNALS},
        "model_version": version,
        "report_url": report_url(public_url, platform, handle),
    }
    if synthetic:
        # Demo data: every client and page that shows this card says it is made up.
        made["synthetic"] = True
    return made
