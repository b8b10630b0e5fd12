"""The decision log: append-only, in code and in the database.

`record` is the only way decisions are written. The ORM refuses to flush an update or delete of
a log row (the guard below), bulk UPDATE/DELETE statements through a Session are refused too,
and the triggers of migration 0005 refuse whatever reaches the database by another road.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from genuine.models import DirectoryLog


class AppendOnlyError(RuntimeError):
    """Someone tried to change or remove a decision already recorded."""


def record(
    session: Session,
    action: str,
    *,
    actor_id: int | None = None,
    submission_id: int | None = None,
    **detail: Any,
) -> DirectoryLog:
    """Append one decision to the log inside the caller's transaction."""
    entry = DirectoryLog(
        action=action, actor_id=actor_id, submission_id=submission_id, detail=detail
    )
    session.add(entry)
    return entry


def entries(session: Session, submission_id: int) -> list[DirectoryLog]:
    return list(
        session.execute(
            sa.select(DirectoryLog)
            .where(DirectoryLog.submission_id == submission_id)
            .order_by(DirectoryLog.id)
        ).scalars()
    )


@event.listens_for(Session, "before_flush")
def _refuse_changes(session: Session, _context, _instances) -> None:
    for obj in session.dirty:
        if isinstance(obj, DirectoryLog) and session.is_modified(obj):
            raise AppendOnlyError("the directory log is append-only: entries are never changed")
    for obj in session.deleted:
        if isinstance(obj, DirectoryLog):
            raise AppendOnlyError("the directory log is append-only: entries are never deleted")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk(state: ORMExecuteState) -> None:
    if (state.is_update or state.is_delete) and any(
        getattr(mapper, "class_", None) is DirectoryLog for mapper in state.all_mappers
    ):
        raise AppendOnlyError("the directory log is append-only: no bulk UPDATE or DELETE")
