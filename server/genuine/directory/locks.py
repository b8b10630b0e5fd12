"""The submission row lock every state change starts with (workflow, evidence, ownership).

`claim` is a conditional UPDATE of the submission row that bumps its version only if the row
is still in an expected state. As the first write of a transaction it takes the row lock on
PostgreSQL and the write lock on SQLite before anything is decided, so two decisions arriving
at once are serialised and the second sees the first.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from genuine.models import Submission


def claim(
    session: Session, submission_id: int, statuses: Iterable[str], round_: int | None = None
) -> bool:
    """Lock the row for this transaction if it is still in one of `statuses` (and round)."""
    table = Submission.__table__
    statement = (
        sa.update(table)
        .where(table.c.id == submission_id, table.c.status.in_(list(statuses)))
        .values(version=table.c.version + 1)
    )
    if round_ is not None:
        statement = statement.where(table.c.round == round_)
    return session.execute(statement).rowcount == 1
