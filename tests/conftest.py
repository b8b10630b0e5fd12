"""Shared fixtures: app, client, runner, a database per test on SQLite and PostgreSQL,
and the shared datasets folder.

Service-backed tests skip on a laptop without the service and fail in CI, which sets
GENUINE_TEST_POSTGRES_URL / GENUINE_TEST_REDIS_URL together with GENUINE_REQUIRE_SERVICES=1.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _required(flag: str) -> bool:
    return os.environ.get(flag, "") not in ("", "0")


def skip_or_fail(reason: str, flag: str) -> None:
    """Skip with `reason`, unless `flag` is set (CI), in which case the absence is a failure."""
    if _required(flag):
        pytest.fail(f"{reason} ({flag} is set, so this is mandatory)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def datasets_dir() -> Path:
    """The shared labelled datasets (../shared/datasets beside the checkout)."""
    path = Path(os.environ.get("GENUINE_DATASETS_DIR", REPO.parent / "shared" / "datasets"))
    if not path.is_dir():
        skip_or_fail(f"shared datasets not found at {path}", "GENUINE_REQUIRE_DATASETS")
    return path


def dataset_file(datasets_dir: Path, relative: str) -> Path:
    """A file of the shared datasets; skipped (failed in CI) when that dataset is missing."""
    path = datasets_dir / relative
    if not path.is_file():
        skip_or_fail(f"{relative} not in {datasets_dir}", "GENUINE_REQUIRE_DATASETS")
    return path


def _postgres_url() -> str | None:
    url = os.environ.get("GENUINE_TEST_POSTGRES_URL")
    if not url:
        return None
    return url


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    url = _postgres_url()
    if not url:
        skip_or_fail(
            "PostgreSQL not configured (set GENUINE_TEST_POSTGRES_URL)", "GENUINE_REQUIRE_SERVICES"
        )
    return url


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request, tmp_path) -> str:
    """A fresh, empty database per test: a SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'genuine.sqlite'}"
        return
    admin_url = request.getfixturevalue("postgres_admin_url")
    import sqlalchemy as sa

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(admin_url)
    try:
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        skip_or_fail(f"PostgreSQL unreachable: {exc.orig}", "GENUINE_REQUIRE_SERVICES")
    sep = "&" if "?" in admin_url else "?"
    yield f"{admin_url}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def app(database_url, tmp_path):
    from genuine import create_app
    from genuine.db import upgrade

    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": "test",
        }
    )
    with app.app_context():
        upgrade(app)
    yield app
    app.extensions["genuine.db"].engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def redis_url() -> str:
    """A reachable Redis (database chosen by the URL), emptied before the test."""
    url = os.environ.get("GENUINE_TEST_REDIS_URL")
    if not url:
        skip_or_fail(
            "Redis not configured (set GENUINE_TEST_REDIS_URL)", "GENUINE_REQUIRE_SERVICES"
        )
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    except redis.exceptions.ConnectionError as exc:
        skip_or_fail(f"Redis unreachable: {exc}", "GENUINE_REQUIRE_SERVICES")
    yield url
    client.flushdb()
    client.close()
