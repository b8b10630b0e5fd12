"""Request bodies: size-limited, and too big a body is a problem document like any error."""

import json


def test_oversized_bodies_answer_413_problem_json(client):
    accounts = [{"platform": "x", "handle": "a" * 15}] * 40_000  # about 1.5 MB
    response = client.post(
        "/api/v1/badges/lookup",
        data=json.dumps({"accounts": accounts}),
        content_type="application/json",
    )
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    assert response.json["code"] == "payload_too_large"
