"""Import records into the store: streaming, batched, upserting, all or nothing.

Rows first go to temporary staging tables (one per kind, unique on the row key),
written in batches with the driver's bulk path (`executemany` on SQLite, `COPY`
on PostgreSQL). A key seen twice in one import stops it with both lines named.
At the end each staging table is merged into its table with one
`INSERT ... SELECT ... ON CONFLICT DO UPDATE`, so importing the same data twice
changes nothing. Everything happens in one transaction: any error rolls the whole
import back and the database is exactly as before.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from genuine.formats import FormatError, Record
from genuine.models import Account, Follow, Post, Snapshot

TABLES: dict[str, tuple[sa.Table, tuple[str, ...]]] = {
    "account": (Account.__table__, ("platform", "handle")),
    "snapshot": (Snapshot.__table__, ("platform", "handle", "taken_at")),
    "follow": (Follow.__table__, ("platform", "follower", "followee")),
    "post": (Post.__table__, ("platform", "post_id")),
}


@dataclass
class ImportSummary:
    read: dict[str, int] = field(default_factory=dict)
    added: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(self.read.values())

    def line(self) -> str:
        parts = [
            f"{n:,} {kind}s ({self.added.get(kind, 0):,} new)" for kind, n in self.read.items()
        ]
        rate = self.rows / self.seconds if self.seconds else 0.0
        return (
            f"imported {', '.join(parts) or 'nothing'} in {self.seconds:.1f} s ({rate:,.0f} rows/s)"
        )


def _stage_table(metadata: sa.MetaData, kind: str) -> sa.Table:
    table, key = TABLES[kind]
    columns = [sa.Column(c.name, c.type, nullable=True) for c in table.columns if c.name != "id"]
    return sa.Table(
        f"stage_{kind}",
        metadata,
        *columns,
        sa.Column("_line", sa.Integer, nullable=False),
        sa.UniqueConstraint(*key, name=f"uq_stage_{kind}"),
        prefixes=["TEMPORARY"],
    )


class _Stager:
    """Staging tables for one import, on one connection inside its transaction."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn
        self.metadata = sa.MetaData()
        self.stages: dict[str, sa.Table] = {}
        self.postgres = conn.dialect.name == "postgresql"

    def stage(self, kind: str) -> sa.Table:
        if kind not in self.stages:
            table = _stage_table(self.metadata, kind)
            table.create(self.conn)
            self.stages[kind] = table
        return self.stages[kind]

    def write(self, kind: str, source: str, rows: list[dict[str, Any]]) -> None:
        stage = self.stage(kind)
        savepoint = self.conn.begin_nested()
        try:
            if self.postgres:
                self._copy(stage, rows)
            else:
                self.conn.execute(stage.insert(), rows)
        except sa.exc.IntegrityError:
            savepoint.rollback()
            raise self._duplicate(kind, source, rows) from None
        savepoint.commit()

    def _copy(self, stage: sa.Table, rows: list[dict[str, Any]]) -> None:
        names = [c.name for c in stage.columns]
        json_columns = {c.name for c in stage.columns if isinstance(c.type, sa.JSON)}
        cursor = self.conn.connection.dbapi_connection.cursor()
        try:
            with cursor.copy(f"COPY {stage.name} ({', '.join(names)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(
                        [json.dumps(row[n]) if n in json_columns else row[n] for n in names]
                    )
        except Exception as exc:  # psycopg raises its own UniqueViolation
            if getattr(exc, "sqlstate", None) == "23505":
                raise sa.exc.IntegrityError("COPY", None, exc) from exc
            raise
        finally:
            cursor.close()

    def _duplicate(self, kind: str, source: str, rows: list[dict[str, Any]]) -> FormatError:
        stage = self.stages[kind]
        key = TABLES[kind][1]
        seen: dict[tuple, int] = {}
        for row in rows:
            values = tuple(row[k] for k in key)
            earlier = seen.get(values)
            if earlier is None:
                condition = sa.and_(*(stage.c[k] == row[k] for k in key))
                earlier = self.conn.execute(sa.select(stage.c._line).where(condition)).scalar()
            if earlier is not None:
                shown = ", ".join(str(v) for v in values)
                return FormatError(
                    source,
                    row["_line"],
                    f"duplicate {kind} ({', '.join(key)}) = ({shown}), first on line {earlier}",
                )
            seen[values] = row["_line"]
        return FormatError(source, rows[0]["_line"], f"duplicate {kind} key in this batch")

    def merge(self, kind: str) -> None:
        table, key = TABLES[kind]
        stage = self.stages[kind]
        names = [c.name for c in stage.columns if c.name != "_line"]
        insert = (postgresql if self.postgres else sqlite).insert(table)
        select = sa.select(*(stage.c[n] for n in names)).where(sa.true())
        statement = insert.from_select(names, select)
        statement = statement.on_conflict_do_update(
            index_elements=list(key),
            set_={n: statement.excluded[n] for n in names if n not in key},
        )
        self.conn.execute(statement)

    def drop(self) -> None:
        for stage in self.stages.values():
            stage.drop(self.conn)


def _count(conn: sa.Connection, kind: str) -> int:
    return conn.execute(sa.select(sa.func.count()).select_from(TABLES[kind][0])).scalar_one()


def _row(record: Record) -> dict[str, Any]:
    values = dict(record.values)
    if values.get("extra"):
        values["extra"] = {
            k: v.isoformat() if isinstance(v, datetime) else v for k, v in values["extra"].items()
        }
    if record.kind == "account" and values.get("handle") is None:
        # Datasets without handles (InstaFake) get a stable key from file and line,
        # so importing the same file twice still changes nothing.
        values["handle"] = f"{Path(record.source).stem}-line{record.line}".lower()
    values["_line"] = record.line
    return values


def import_records(
    engine: sa.Engine,
    records: Iterable[Record],
    *,
    batch_size: int = 10_000,
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Import `records` in one transaction; raises FormatError and keeps nothing on bad input."""
    summary = ImportSummary()
    started = time.perf_counter()
    batches: dict[str, list[dict[str, Any]]] = {}
    sources: dict[str, str] = {}
    with engine.begin() as conn:
        stager = _Stager(conn)
        before: dict[str, int] = {}
        for record in records:
            kind = record.kind
            batch = batches.setdefault(kind, [])
            if kind not in before:
                before[kind] = _count(conn, kind)
                summary.read[kind] = 0
            if sources.get(kind, record.source) != record.source and batch:
                stager.write(kind, sources[kind], batch)
                batch.clear()
            sources[kind] = record.source
            batch.append(_row(record))
            summary.read[kind] += 1
            if len(batch) >= batch_size:
                stager.write(kind, record.source, batch)
                if progress:
                    progress(len(batch))
                batch.clear()
        for kind, batch in batches.items():
            if batch:
                stager.write(kind, sources[kind], batch)
                if progress:
                    progress(len(batch))
        for kind in TABLES:  # parents first, in a fixed order
            if kind in stager.stages:
                stager.merge(kind)
                summary.added[kind] = _count(conn, kind) - before[kind]
        stager.drop()
    summary.seconds = time.perf_counter() - started
    return summary
