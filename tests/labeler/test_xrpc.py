import base64

import pytest
from atproto_client.models.com.atproto.label import defs, query_labels
from atproto_client.models.utils import get_or_create
from atproto_crypto.verify import verify_signature

from genuine.db import get_db
from genuine.labeler.emit import subjects
from genuine.labeler.sign import did_key, signing_bytes
from tests.labeler.helpers import KEY, SRC, T0, card, labeler, put

URL = "/xrpc/com.atproto.label.queryLabels"


@pytest.fixture
def labelled(app):
    app.config["LABELER_DID"] = SRC
    with get_db(app).engine.begin() as conn:
        put(conn, *[card(f"ring{i:02d}.bsky.social", ring="member") for i in range(12)])
        put(conn, card("buyer.bsky.social", purchase="high", reply="unresponsive"))
        labeler().sync(conn, subjects(conn), T0)
    return app


def sdk_labels(body):
    """Parse with the atproto SDK's models. The SDK types `sig` as str|bytes and does not
    decode the data model's {"$bytes": ...} JSON, so that one field is decoded first."""
    for label in body["labels"]:
        assert set(label["sig"]) == {"$bytes"} and not label["sig"]["$bytes"].endswith("=")
    decoded = {
        **body,
        "labels": [
            {**x, "sig": base64.b64decode(x["sig"]["$bytes"] + "==")} for x in body["labels"]
        ],
    }
    return get_or_create(decoded, query_labels.Response, strict=True)


def test_labels_parse_in_the_sdk_and_verify_against_our_did_key(labelled):
    client = labelled.test_client()
    answer = client.get(URL, query_string={"uriPatterns": "did:plc:buyer"})
    assert answer.status_code == 200
    response = sdk_labels(answer.get_json())
    assert {x.val for x in response.labels} == {"bought-followers-high", "rarely-answers"}
    for label in response.labels:
        assert isinstance(label, defs.Label)
        # The SDK's dump adds "$type"; a label is signed as the bare object, without it.
        signed = label.model_dump(exclude_none=True, by_alias=True, exclude={"py_type"})
        assert verify_signature(did_key(KEY), signing_bytes(signed), label.sig)
    assert response.cursor is None


def test_trailing_star_is_a_prefix_and_paging_walks_the_log(labelled):
    client = labelled.test_client()
    seen, cursor = [], None
    while True:
        query = {"uriPatterns": "did:plc:ring*", "limit": 5}
        if cursor:
            query["cursor"] = cursor
        body = client.get(URL, query_string=query).get_json()
        seen += [x["uri"] for x in body["labels"]]
        cursor = body.get("cursor")
        if not cursor:
            break
    assert sorted(seen) == [f"did:plc:ring{i:02d}" for i in range(12)]
    everything = client.get(URL, query_string={"uriPatterns": "*", "limit": 250}).get_json()
    assert len(everything["labels"]) == 14
    exact = client.get(URL, query_string={"uriPatterns": ["did:plc:ring0", "did:plc:ring01"]})
    assert [x["uri"] for x in exact.get_json()["labels"]] == ["did:plc:ring01"]


def test_sources_filter(labelled):
    client = labelled.test_client()
    mine = client.get(URL, query_string={"uriPatterns": "*", "sources": SRC}).get_json()
    other = client.get(URL, query_string={"uriPatterns": "*", "sources": "did:plc:else"})
    assert len(mine["labels"]) == 14 and other.get_json()["labels"] == []


def test_like_wildcards_in_a_prefix_are_literal(labelled):
    client = labelled.test_client()
    body = client.get(URL, query_string={"uriPatterns": "did:plc:r_ng*"}).get_json()
    assert body["labels"] == []


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"uriPatterns": ""},
        {"uriPatterns": "did:*:x"},
        {"uriPatterns": "**"},
        {"uriPatterns": "d" * 3000},
        {"uriPatterns": "*", "limit": 0},
        {"uriPatterns": "*", "limit": 251},
        {"uriPatterns": "*", "limit": "ten"},
        {"uriPatterns": "*", "cursor": "abc"},
        {"uriPatterns": "*", "cursor": "-1"},
        {"uriPatterns": "*", "sources": "not-a-did"},
    ],
)
def test_bad_input_is_an_xrpc_invalid_request(labelled, query):
    answer = labelled.test_client().get(URL, query_string=query)
    assert answer.status_code == 400
    body = answer.get_json()
    assert body["error"] == "InvalidRequest" and body["message"]


def test_a_cursor_from_the_future_returns_nothing(labelled):
    client = labelled.test_client()
    body = client.get(URL, query_string={"uriPatterns": "*", "cursor": "999999"}).get_json()
    assert body == {"labels": []}


def test_off_by_default(app):
    answer = app.test_client().get(URL, query_string={"uriPatterns": "*"})
    assert answer.status_code == 501
    assert answer.get_json()["error"] == "MethodNotImplemented"
