"""Behaviour snapshot of the demo world: cards, API answers, report pages and charts.

The showcase accounts' API answers are stored whole (so a diff reads as a change users see);
every other card, page and chart as a hash of its normalised text.

The demo world is seeded, so everything built from it is the same on every run except the
moment it was computed. This test builds it, asks the API and the web pages what a user
would ask, replaces "now" with a marker, and compares the result with
tests/snapshots/demo_world.json. A refactoring must leave it unchanged; a change that is
meant to change behaviour (a new estimator, new wording) rewrites it with

    GENUINE_UPDATE_SNAPSHOT=1 .venv/bin/pytest tests/test_demo_snapshot.py

and the diff of the snapshot file shows reviewers exactly what users will see differently.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from genuine.cli import cli
from genuine.db import get_db
from genuine.demo import SHOWCASE
from genuine.models import BadgeCard

SNAPSHOT = Path(__file__).parent / "snapshots" / "demo_world.json"
ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?")
RFC1123 = re.compile(r"[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT")
MINUTE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC")
CSRF = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+(")')


def _recent(moment: datetime) -> bool:
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return abs(datetime.now(UTC) - moment) < timedelta(hours=6)


def _normalise(text: str) -> str:
    """Times within hours of now (when the test ran) become <now>; CSRF tokens go."""

    def iso(match: re.Match) -> str:
        value = match.group(0).replace("Z", "+00:00")
        return "<now>" if _recent(datetime.fromisoformat(value)) else match.group(0)

    def rfc(match: re.Match) -> str:
        return "<now>" if _recent(parsedate_to_datetime(match.group(0))) else match.group(0)

    def minute(match: re.Match) -> str:
        moment = datetime.strptime(match.group(0), "%Y-%m-%d %H:%M UTC").replace(tzinfo=UTC)
        return "<now>" if _recent(moment) else match.group(0)

    text = ISO.sub(iso, text)
    text = RFC1123.sub(rfc, text)
    text = MINUTE.sub(minute, text)
    return CSRF.sub(r"\1<token>\2", text)


def _json(response) -> object:
    assert response.status_code in (200, 404), response.get_data(as_text=True)[:500]
    return json.loads(_normalise(response.get_data(as_text=True)))


def _page(response) -> dict:
    text = _normalise(response.get_data(as_text=True))
    return {"status": response.status_code, "sha256": hashlib.sha256(text.encode()).hexdigest()}


def _observe(app) -> dict:
    runner, client = app.test_cli_runner(), app.test_client()
    result = runner.invoke(cli, ["demo"])
    assert result.exit_code == 0, result.output
    seen: dict = {"cards": {}, "api": {}, "pages": {}}
    with get_db(app).engine.connect() as conn:
        for key, card in conn.execute(
            sa.select(BadgeCard.lookup_key, BadgeCard.card).order_by(BadgeCard.lookup_key)
        ):
            text = _normalise(json.dumps(card, sort_keys=True))
            seen["cards"][key] = hashlib.sha256(text.encode()).hexdigest()[:16]
    accounts = [key.split(":", 1) for key in SHOWCASE]
    api = seen["api"]
    api["meta"] = _json(client.get("/api/v1/meta"))
    api["lookup"] = _json(
        client.post(
            "/api/v1/badges/lookup",
            json={
                "accounts": [{"platform": p, "handle": h} for p, h in accounts]
                + [{"platform": "x", "handle": "nobody_here"}]
            },
        )
    )
    api["consultants"] = _json(client.get("/api/v1/consultants"))
    for platform, handle in accounts:
        key = f"{platform}:{handle}"
        api[f"badge {key}"] = _json(client.get(f"/api/v1/badges/{platform}/{handle}"))
        api[f"report {key}"] = _json(client.get(f"/api/v1/accounts/{platform}/{handle}/report"))
        prefix = hashlib.sha256(key.encode()).hexdigest()[:4]
        api[f"range {key}"] = _json(client.get(f"/api/v1/badges/range/{prefix}"))
        page = client.get(f"/report/{platform}/{handle}")
        seen["pages"][f"/report/{key}"] = _page(page)
        for name in sorted(set(re.findall(r"charts/([a-z_]+)\.svg", page.get_data(as_text=True)))):
            chart = client.get(f"/report/{platform}/{handle}/charts/{name}.svg")
            seen["pages"][f"/report/{key}/charts/{name}.svg"] = _page(chart)
    seen["pages"]["/"] = _page(client.get("/"))
    return seen


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_demo_world_is_unchanged(app):
    with app.app_context():
        seen = _observe(app)
    text = json.dumps(seen, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    if os.environ.get("GENUINE_UPDATE_SNAPSHOT"):
        SNAPSHOT.write_text(text, encoding="utf-8")
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    for part in ("cards", "api", "pages"):
        for key in sorted(set(expected[part]) | set(seen[part])):
            assert seen[part].get(key) == expected[part].get(key), f"{part}: {key} changed"
