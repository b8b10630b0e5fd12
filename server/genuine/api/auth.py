"""API keys for write endpoints: `X-API-Key: gen_...`, checked against stored hashes."""

from __future__ import annotations

from functools import wraps

import sqlalchemy as sa
from flask import g, request

from genuine.db import get_db
from genuine.models import ApiKey
from genuine.models.users import hash_key
from genuine.problems import Problem


def current_key(*, required: bool = True) -> ApiKey | None:
    if "api_key" in g and g.api_key is not None:
        return g.api_key
    sent = request.headers.get("X-API-Key", "")
    if not sent:
        if required:
            raise Problem(401, "missing_api_key", "this endpoint needs an X-API-Key header")
        return None
    with get_db().session() as session:
        key = session.execute(
            sa.select(ApiKey).where(ApiKey.key_hash == hash_key(sent), ApiKey.revoked_at.is_(None))
        ).scalar_one_or_none()
    if key is None and required:
        raise Problem(401, "invalid_api_key", "the X-API-Key is unknown or revoked")
    g.api_key = key
    return key


def key_required(*, admin: bool = False):
    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            key = current_key()
            if admin and not key.admin:
                raise Problem(403, "admin_only", "this endpoint needs an admin API key")
            return view(*args, **kwargs)

        return wrapper

    return decorate
