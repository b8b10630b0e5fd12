"""Badge cards: one by handle, a batch, or a hash-prefix bucket for private lookups."""

from __future__ import annotations

import hashlib
import json
import re

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, request
from spectree import Response as Responses

from genuine.api import cards, spec
from genuine.api.requests import parse_json
from genuine.api.schemas import (
    Card,
    LookupRequest,
    LookupResponse,
    ProblemModel,
    RangeResponse,
    RangesRequest,
    RangesResponse,
)
from genuine.db import get_db, read, read_rows
from genuine.handles import HINTS, PLATFORMS, check
from genuine.models.accounts import lookup_key
from genuine.problems import Problem

bp = Blueprint("badges", __name__)
HEX = re.compile(r"[0-9a-f]{1,64}")


def account_or_problem(platform: str, handle: str) -> tuple[str, str]:
    if platform not in PLATFORMS:
        raise Problem(
            404, "unknown_platform", f"unknown platform {platform!r}: one of {', '.join(PLATFORMS)}"
        )
    normal = check(platform, handle)
    if normal is None:
        # The URL cannot name an account: no such resource, whatever the store holds.
        raise Problem(
            404,
            "invalid_handle",
            f"{handle[:80]!r} is not a {platform} handle: expected {HINTS[platform]}",
        )
    return platform, normal


def _cached(body: str, etag: str) -> Response:
    response = Response(body, mimetype="application/json")
    response.set_etag(etag)
    response.cache_control.public = True
    response.cache_control.max_age = current_app.config["CARD_MAX_AGE"]
    return response.make_conditional(request)


@bp.get("/badges/<platform>/<path:handle>")
@spec.validate(
    resp=Responses(HTTP_200=Card, HTTP_400=ProblemModel, HTTP_404=ProblemModel),
    tags=["badges"],
    skip_validation=True,
)
def card(platform: str, handle: str):
    """The badge card of one account.

    Answers 304 to a matching If-None-Match. Unknown accounts answer 404; an audit
    can then be requested with POST /audits.
    """
    platform, handle = account_or_problem(platform, handle)
    stored = read(get_db().engine, lambda conn: cards.one(conn, platform, handle))
    if stored is None:
        raise Problem(
            404,
            "unknown_account",
            f"no card for {platform}:{handle} yet; request an audit with POST /api/v1/audits",
        )
    return _cached(stored.text, stored.etag)


@bp.post("/badges/lookup")
@spec.validate(
    json=LookupRequest,
    resp=Responses(HTTP_200=LookupResponse, HTTP_400=ProblemModel, HTTP_415=ProblemModel),
    tags=["badges"],
    skip_validation=True,
)
def lookup():
    """Cards for up to 100 accounts at once, the accounts that have none, and the items
    whose handle cannot be one on their platform (each with why: the rest is answered)."""
    body = parse_json(LookupRequest)
    wanted, invalid = {}, {}  # lookup key -> (platform, normalised handle), in asked order
    for account in body.accounts:
        platform, handle = account["platform"], account["handle"]
        normal = check(platform, handle)
        if normal is not None:
            wanted[lookup_key(platform, normal)] = platform, normal
        elif (platform, handle) not in invalid:
            invalid[platform, handle] = json.dumps(
                {
                    "platform": platform,
                    "handle": handle,
                    "code": "invalid_handle",
                    "detail": f"not a {platform} handle: expected {HINTS[platform]}",
                }
            )
    found = _texts(get_db().engine, list(wanted))
    hits = [found[key] for key in wanted if key in found]
    # A checked handle holds only letters, digits and . _ - @ (handles.SYNTAX) and the
    # platform is one of PLATFORMS: both are JSON strings as they are.
    misses = [
        f'{{"platform":"{p}","handle":"{h}"}}' for key, (p, h) in wanted.items() if key not in found
    ]
    return Response(
        f'{{"found":[{",".join(hits)}],"not_found":[{",".join(misses)}],'
        f'"invalid":[{",".join(invalid.values())}]}}',
        mimetype="application/json",
    )


# One statement text per dialect (and per batch size on SQLite), keys bound, on the
# driver's cursor: SQLAlchemy's expanding IN re-renders the statement every call, and its
# result objects cost as much as the index probes (issue 16 profiles).
# On PostgreSQL the keys go as one string (hex digits and commas need no quoting): psycopg
# dumps a list of 50 str as an array element by element, a regular expression each.
_PG_MANY = (
    "SELECT lookup_key, CAST(card AS TEXT) FROM badgecard"
    " WHERE lookup_key = ANY(string_to_array(%s, ','))"
)
_SQLITE_MANY = (
    f"SELECT lookup_key, CAST(card AS TEXT) FROM {cards.SQLITE_CARDS} WHERE lookup_key IN ({{}})"
)


def _texts(engine: sa.Engine, keys: list[str]) -> dict[str, str]:
    """Stored card text by lookup key, for the keys that have a card."""
    if not keys:
        return {}
    if engine.dialect.name == "postgresql":
        statement, params = _PG_MANY, (",".join(keys),)
    else:
        statement, params = _SQLITE_MANY.format(",".join("?" * len(keys))), keys
    return dict(read_rows(engine, statement, params))


@bp.get("/badges/range/<prefix>")
@spec.validate(
    resp=Responses(HTTP_200=RangeResponse, HTTP_400=ProblemModel),
    tags=["badges"],
    skip_validation=True,
)
def by_range(prefix: str):
    """Every card whose key, sha256("platform:handle") in hex, starts with `prefix`.

    The server never learns which account the client wanted: it answers for the
    whole bucket, keyed by the rest of each hash. Send at least `prefix_length`
    hex digits (GET /meta).
    """
    prefix = prefix.lower()
    if not HEX.fullmatch(prefix):
        raise Problem(400, "invalid_prefix", "the prefix must be 1 to 64 hexadecimal digits")
    shortest = current_prefix_length()
    if len(prefix) < shortest:
        raise Problem(
            400,
            "prefix_too_short",
            f"send at least {shortest} hex digits (GET /api/v1/meta announces the length)",
        )
    bucket = read(get_db().engine, lambda conn: cards.by_prefix(conn, prefix))
    entries = ",".join(f'"{c.key[len(prefix) :]}":{c.text}' for c in bucket)
    etag = hashlib.sha256("".join(c.etag for c in bucket).encode()).hexdigest()[:32]
    return _cached(f'{{"prefix":"{prefix}","cards":{{{entries}}}}}', etag)


@bp.post("/badges/ranges")
@spec.validate(
    json=RangesRequest,
    resp=Responses(HTTP_200=RangesResponse, HTTP_400=ProblemModel, HTTP_415=ProblemModel),
    tags=["badges"],
    skip_validation=True,
)
def by_ranges():
    """The buckets of up to 100 prefixes in one request (private lookups of a whole page).

    As GET /badges/range/<prefix>, for each prefix: the server learns only prefixes. With
    `"compact": true` each entry holds only what a badge shows (levels and one number per
    badge, see CompactCard); fetch the prefix's full bucket when the details are wanted.
    """
    body = parse_json(RangesRequest)
    prefixes = list(dict.fromkeys(body.prefixes))
    shortest = current_prefix_length()
    short = [p for p in prefixes if len(p) < shortest]
    if short:
        raise Problem(
            400,
            "prefix_too_short",
            f"{short[0]!r}: send at least {shortest} hex digits per prefix "
            "(GET /api/v1/meta announces the length)",
        )
    buckets = read(
        get_db().engine,
        lambda conn: cards.by_prefixes(conn, prefixes, compact_entries=body.compact),
    )
    parts = []
    for prefix in prefixes:
        parts.append(f'"{prefix}":{{{",".join(buckets[prefix])}}}')
    return Response(f'{{"buckets":{{{",".join(parts)}}}}}', mimetype="application/json")


def current_prefix_length() -> int:
    count = current_app.extensions["genuine.card_count"].get(get_db().engine)
    return cards.prefix_length(count, current_app.config["PRIVATE_BUCKET_SIZE"])
