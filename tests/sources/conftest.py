import re

import pytest

from tests.sources.fakes import FakeBluesky, FakeMastodon

ANY = re.compile(r"^/.*")


def config(base: str, **extra) -> dict:
    return {
        "PUBLIC_URL": "http://genuine.test",
        "MASTODON_BASE_URL": base,
        "BLUESKY_BASE_URL": base,
        "X_BASE_URL": base,
        "SOURCE_BACKOFF": 0.01,
        "SOURCE_RETRIES": 3,
        "SOURCE_MAX_WAIT": 5,
        **extra,
    }


@pytest.fixture
def mastodon(httpserver):
    fake = FakeMastodon(followers=200)
    httpserver.expect_request(ANY).respond_with_handler(fake)
    return fake


@pytest.fixture
def bluesky(httpserver):
    fake = FakeBluesky(followers=130)
    httpserver.expect_request(ANY).respond_with_handler(fake)
    return fake


@pytest.fixture
def base(httpserver) -> str:
    return httpserver.url_for("/").rstrip("/")
