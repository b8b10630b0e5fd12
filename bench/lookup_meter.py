"""CPU meters for bench/lookup.py, read from /proc: gunicorn's master and workers, the
PostgreSQL backends serving the benchmark's connections (by application_name), and the
whole machine (to tell how much other processes used meanwhile)."""

from __future__ import annotations

import os

import sqlalchemy as sa

APP_NAME = f"genuine-bench-lookup-{os.getpid()}"


def _stat(pid: int) -> list[str]:
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rpartition(")")[2].split()


def server_cpu(master: int, extra: frozenset[int] = frozenset()) -> float:
    """CPU seconds used so far by gunicorn's master and its workers, or by `extra` pids."""
    total = 0.0
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            fields = _stat(int(name))
        except OSError:
            continue
        if int(name) == master or int(fields[1]) == master or int(name) in extra:
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def backend_pids(url: str) -> frozenset[int]:
    """The PostgreSQL server processes serving the benchmark's connections (by application_name)."""
    if not url.startswith("postgresql"):
        return frozenset()
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            pids = conn.execute(
                sa.text(
                    "SELECT pid FROM pg_stat_activity "
                    "WHERE application_name = :a AND pid <> pg_backend_pid()"
                ),
                {"a": APP_NAME},
            ).scalars()
            return frozenset(pids)
    finally:
        engine.dispose()


def machine_busy() -> float:
    """CPU seconds all cores spent busy since boot (from /proc/stat; steal counts as busy)."""
    with open("/proc/stat") as f:
        ticks = [int(x) for x in f.readline().split()[1:9]]
    idle = ticks[3] + ticks[4]
    return (sum(ticks) - idle) / os.sysconf("SC_CLK_TCK")


def db_meter(url: str):
    """CPU seconds used so far by the PostgreSQL backends of this process's connections (the
    same pids each call, looked up at the first call, after the app's warm-up)."""
    pids: list[frozenset[int]] = []

    def meter() -> float:
        if not url.startswith("postgresql"):
            return 0.0
        if not pids:
            pids.append(backend_pids(url))
        return server_cpu(-1, pids[0])

    return meter
