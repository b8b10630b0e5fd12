"""What the directory does after each audit, registered with genuine.pipeline by create_app
(so the pipeline never imports the directory)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from genuine.directory import evidence, ownership
from genuine.pipeline import Audited


def check_ownership(engine: sa.Engine, config: Mapping[str, Any], audited: Audited) -> None:
    """Consultants listing this account: is their code in the bio just fetched?"""
    ownership.check_fetched(
        engine, config["SECRET_KEY"], audited.platform, audited.handle, audited.account.get("bio")
    )


def flag_turned_bad(engine: sa.Engine, config: Mapping[str, Any], audited: Audited) -> None:
    """A published consultant whose own account now looks bad goes back to review."""
    evidence.flag_if_cards_turned_bad(engine, [(audited.platform, audited.handle)], config=config)


AFTER_AUDIT = (check_ownership, flag_turned_bad)  # in this order: the flag reads ownership
