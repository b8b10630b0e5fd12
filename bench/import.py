"""Import benchmark: 100,000 accounts and 1,000,000 follows in the dataset format.

Imports them with `genuine import`'s code path (streaming CSV, staging, upsert, one
transaction) into SQLite and PostgreSQL, and in the same run writes the same rows
with the driver's bulk path and no ORM (sqlite3 `executemany`, psycopg `COPY`)
into the same empty tables: the baseline. Prints rows per second for both.

    .venv/bin/python bench/import.py [--accounts N] [--follows N] [--postgres URL]

PostgreSQL defaults to GENUINE_TEST_POSTGRES_URL or the local `test` database and
is skipped with a message when unreachable.
"""

from __future__ import annotations

import argparse
import csv
import os
import sqlite3
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import sqlalchemy as sa

from genuine import create_app
from genuine.db import get_db, upgrade
from genuine.formats import read
from genuine.formats.genuine_folder import COLUMNS
from genuine.importing import import_records


def generate(folder: Path, accounts: int, follows: int, seed: int = 7) -> None:
    rng = np.random.default_rng(seed)
    start = datetime(2015, 1, 1, tzinfo=UTC)
    with (folder / "accounts.csv").open("w", newline="") as f:
        w = csv.DictWriter(f, COLUMNS["accounts.csv"])
        w.writeheader()
        counts = rng.integers(0, 50_000, size=(accounts, 3))
        days = rng.integers(0, 3000, size=accounts)
        for i in range(accounts):
            w.writerow(
                {
                    "platform": "x",
                    "handle": f"user{i}",
                    "followers_count": counts[i][0],
                    "following_count": counts[i][1],
                    "posts_count": counts[i][2],
                    "created_at": (start + timedelta(days=int(days[i]))).isoformat(),
                    "has_avatar": i % 3 != 0,
                    "bio": f"bio of user {i}",
                }
            )
    # Unique (follower, followee) pairs: sample codes without replacement.
    codes = rng.choice(accounts * accounts, size=follows, replace=False)
    follower, followee = np.divmod(codes, accounts)
    seconds = rng.integers(0, 3000 * 86400, size=follows)
    with (folder / "follows.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS["follows.csv"])
        for a, b, s in zip(follower.tolist(), followee.tolist(), seconds.tolist(), strict=True):
            w.writerow(["x", f"user{a}", f"user{b}", (start + timedelta(seconds=s)).isoformat()])


def parsed_rows(path: Path):
    """Baseline parsing: the csv module and datetime.fromisoformat, nothing else."""
    with path.open(newline="") as f:
        reader = csv.reader(f)
        next(reader)
        for platform, follower, followee, followed_at in reader:
            yield platform, follower, followee, datetime.fromisoformat(followed_at)


def baseline_sqlite(db: Path, follows: Path) -> float:
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    started = time.perf_counter()
    with conn:
        conn.executemany(
            "INSERT INTO follow (platform, follower, followee, followed_at) VALUES (?, ?, ?, ?)",
            ((p, a, b, t.strftime("%Y-%m-%d %H:%M:%S.%f")) for p, a, b, t in parsed_rows(follows)),
        )
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


def baseline_postgres(engine: sa.Engine, follows: Path) -> float:
    started = time.perf_counter()
    with engine.begin() as conn:
        cursor = conn.connection.dbapi_connection.cursor()
        with cursor.copy(
            "COPY follow (platform, follower, followee, followed_at) FROM STDIN"
        ) as copy:
            for row in parsed_rows(follows):
                copy.write_row(row)
    return time.perf_counter() - started


def fresh_app(url: str, instance: Path):
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(instance), "SECRET_KEY": "b"})
    upgrade(app)
    return app


def genuine_import(app, path: Path) -> tuple[float, dict[str, int]]:
    started = time.perf_counter()
    summary = import_records(get_db(app).engine, read(path, "genuine"))
    return time.perf_counter() - started, summary.read


def report(name: str, ours: float, base: float, rows: int) -> None:
    print(
        f"{name:<11} genuine import {rows / ours:>10,.0f} follows/s ({ours:6.1f} s)   "
        f"bulk baseline {rows / base:>10,.0f} follows/s ({base:6.1f} s)   "
        f"ratio {ours / base:4.2f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--follows", type=int, default=1_000_000)
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "GENUINE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        data = tmp / "data"
        data.mkdir()
        started = time.perf_counter()
        generate(data, args.accounts, args.follows)
        print(
            f"generated {args.accounts:,} accounts and {args.follows:,} follows "
            f"in {time.perf_counter() - started:.1f} s"
        )
        follows = data / "follows.csv"

        # SQLite: the whole folder with genuine, then follows alone for the like-for-like figure.
        app = fresh_app(f"sqlite:///{tmp / 'a.sqlite'}", tmp)
        whole, counts = genuine_import(app, data)
        print(
            f"sqlite      whole folder: {sum(counts.values()):,} rows in {whole:.1f} s "
            f"({sum(counts.values()) / whole:,.0f} rows/s)"
        )
        app = fresh_app(f"sqlite:///{tmp / 'b.sqlite'}", tmp)
        ours, _ = genuine_import(app, follows)
        get_db(app).engine.dispose()
        app = fresh_app(f"sqlite:///{tmp / 'c.sqlite'}", tmp)
        get_db(app).engine.dispose()
        base = baseline_sqlite(tmp / "c.sqlite", follows)
        report("sqlite", ours, base, args.follows)

        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(args.postgres)
        try:
            with admin.begin() as conn:
                conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        except sa.exc.OperationalError as exc:
            print(f"postgresql  skipped: unreachable ({exc.orig})")
            return
        try:
            sep = "&" if "?" in args.postgres else "?"
            url = f"{args.postgres}{sep}options=-csearch_path%3D{schema}"
            app = fresh_app(url, tmp)
            ours, _ = genuine_import(app, follows)
            with get_db(app).engine.begin() as conn:
                conn.execute(sa.text("TRUNCATE follow"))
            base = baseline_postgres(get_db(app).engine, follows)
            get_db(app).engine.dispose()
            report("postgresql", ours, base, args.follows)
        finally:
            with admin.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))


if __name__ == "__main__":
    main()
