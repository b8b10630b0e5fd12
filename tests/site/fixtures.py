"""Directory export fixtures (the contract in docs-notes/HELPERS.md), shared by the site
tests and bench/site.py. Deterministic: consultant i is the same on every run."""

from __future__ import annotations

import copy
from typing import Any

SERVICES = ["community management", "customer service", "paid social", "strategy", "training"]
REGIONS = ["EU", "UK", "North America", "Latin America", "Asia-Pacific", "Africa"]
LANGUAGES = ["en", "fr", "de", "es", "pt", "it", "ja"]
PAYLOAD = (
    '<script>alert("x")</script><img src=x onerror=alert(1)>"\'><a href="javascript:alert(2)">'
)


def card(platform: str, handle: str, i: int) -> dict[str, Any]:
    score = round((i % 13) / 100, 2)
    return {
        "platform": platform,
        "handle": handle,
        "computed_at": "2026-11-23T20:00:00+00:00",
        "badges": {
            "follower_purchase_risk": {
                "level": "low" if score < 0.15 else "medium",
                "score": score,
                "interval": [max(0.0, round(score - 0.03, 2)), round(score + 0.04, 2)],
                "sample_size": 2000,
                "reasons": [
                    {"code": "share", "text": f"{score:.0%} of 2,000 followers look bought"}
                ],
            },
            "reply_rate": {
                "level": "responsive" if i % 3 else "mixed",
                "answered_share": 0.93 if i % 3 else 0.71,
                "median_reply_seconds": 534,
                "sample_size": 191,
                "equity": {"status": "even"},
                "reasons": [{"code": "answered_count", "text": "answered 177 of 191 questions"}],
            },
            "follow_back_ring": {
                "level": "not_member",
                "ring_id": None,
                "ring_size": None,
                "density": None,
                "reasons": [{"code": "no_dense_group", "text": "no dense group of mutual follows"}],
            },
        },
        "model_version": "test-1",
        "report_url": f"http://127.0.0.1:5000/report/{platform}/{handle}",
    }


def consultant(i: int) -> dict[str, Any]:
    slug = f"consultant-{i:04d}"
    return {
        "slug": slug,
        "name": f"Consultant {i:04d}",
        "headline": f"Helps teams answer people well (number {i})",
        "bio_html": (
            f"<p>Consultant {i} has run community teams for "
            f"<strong>{i % 20 + 2}</strong> years.</p>"
        ),
        "services": [SERVICES[i % len(SERVICES)], SERVICES[(i + 2) % len(SERVICES)]],
        "regions": [REGIONS[i % len(REGIONS)]],
        "languages": [LANGUAGES[i % len(LANGUAGES)], "en"] if i % len(LANGUAGES) else ["en"],
        "website": f"https://example.org/{slug}",
        "accounts": [
            {
                "platform": "x",
                "handle": f"cons{i:04d}",
                "card": card("x", f"cons{i:04d}", i),
                "ownership": {
                    "status": "verified",
                    "verified": True,
                    "checked_at": "2026-11-20T10:00:00+00:00",
                },
            },
            {
                "platform": "mastodon",
                "handle": f"cons{i:04d}@example.social",
                "card": None,
                "ownership": {"status": "unverified", "verified": False, "checked_at": None},
            },
        ],
        "case_studies": [
            {
                "title": f"Support desk for client {i}",
                "summary": "Cut the median answer time from 6 hours to 20 minutes.",
                "url": f"https://example.org/{slug}/case",
            },
            {"title": "An unpublished engagement", "summary": "Under NDA.", "url": None},
        ],
        "review": {
            "reviewers": 2,
            "approved_at": "2026-10-01T12:00:00+00:00",
            "summary": "Case studies checked with the clients.",
        },
        "last_audit": "2026-11-23T20:00:00+00:00" if i % 4 else None,
        "published_at": "2026-10-02T09:00:00+00:00",
    }


def directory(n: int, *, synthetic: bool = False) -> dict[str, Any]:
    return {
        "generated_at": "2026-11-24T08:00:00+00:00",
        "synthetic": synthetic,
        "consultants": [consultant(i) for i in range(n)],
    }


def hostile(i: int = 0) -> dict[str, Any]:
    """A consultant whose every string carries script and HTML payloads (URLs stay valid)."""
    entry = consultant(i)
    entry["slug"] = "hostile"
    entry["name"] = "Eve " + PAYLOAD
    entry["headline"] = PAYLOAD + " [click](javascript:alert(3)) **bold** {{ 7*7 }}"
    entry["bio_html"] = (
        "<p>Bio</p>" + PAYLOAD + '<iframe src="https://evil.example"></iframe>'
        '<p onclick="alert(4)" style="color:red">styled</p><svg onload=alert(5)></svg>'
    )
    entry["services"] = ["svc " + PAYLOAD]
    entry["regions"] = ["region " + PAYLOAD]
    entry["languages"] = ["lang " + PAYLOAD]
    entry["website"] = 'https://example.org/"><script>alert(6)</script>'
    for account in entry["accounts"]:
        account["handle"] = "h" + PAYLOAD
    c = entry["accounts"][0]["card"]
    c["model_version"] = PAYLOAD
    c["report_url"] = 'https://example.org/r?q="><script>alert(7)</script>'
    for badge in c["badges"].values():
        badge["reasons"] = [{"code": PAYLOAD, "text": "reason " + PAYLOAD}]
    c["badges"]["reply_rate"]["equity"] = {"status": PAYLOAD}
    entry["case_studies"] = [{"title": PAYLOAD, "summary": PAYLOAD, "url": None}]
    entry["review"]["summary"] = PAYLOAD
    return copy.deepcopy(entry)
