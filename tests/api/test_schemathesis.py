"""Property-based API tests generated from our own OpenAPI document (schemathesis).

Every operation gets generated requests, valid and invalid, and every check schemathesis
has runs on each answer (not only its defaults): no 5xx, documented status codes, content
types, headers and schemas, invalid input refused and valid input accepted, missing
required headers, unsupported methods and the Allow header, authentication that is not
ignored; and errors are problem+json. Bounded: a fixed number of examples per operation.
"""

import tempfile

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS, load_all_checks

from genuine import create_app
from genuine.cards.store import save_cards
from genuine.db import get_db, upgrade
from tests.cards import make_card


def _app():
    # Built at import: schemathesis generates the tests from the app's own document.
    tmp = tempfile.mkdtemp(prefix="genuine-schemathesis-")
    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(tmp),
            "SECRET_KEY": "test",
            "RATE_LIMIT_READ": "1000000 per minute",
            "RATE_LIMIT_WRITE": "1000000 per minute",
        }
    )
    upgrade(app)
    with get_db(app).engine.begin() as conn:
        save_cards(conn, [make_card("x", "amazonhelp"), make_card("bluesky", "a.bsky.social")])
    return app


APP = _app()
load_all_checks()
ALL_CHECKS = CHECKS.get_all()
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", APP)


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_conforms_to_its_openapi_document(case):
    # The WSGI transport does not gunzip; gzip answers are tested in test_badges.
    response = case.call_and_validate(headers={"Accept-Encoding": "identity"}, checks=ALL_CHECKS)
    if response.status_code >= 400:
        headers = {k.lower(): v for k, v in response.headers.items()}
        assert headers["content-type"][0].startswith("application/problem+json")
