"""Control characters (NUL first) in any form field, query or JSON string: a 400 that names
the field, before any view runs; fuzzed on SQLite and PostgreSQL (which cannot store NUL)."""

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genuine.controls import find_control
from tests.cards import make_card
from tests.directory.helpers import cards

REFUSED = [chr(c) for c in range(0x20) if chr(c) not in "\t\n\r"] + ["\x7f"]
tainted = st.tuples(st.text(max_size=20), st.sampled_from(REFUSED), st.text(max_size=20)).map(
    "".join
)


def _csrf(client, path):
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get(path).text)[1]


def test_the_rule_allows_tab_newline_and_return_only():
    assert find_control("two\tcolumns\r\nand lines") is None
    assert [find_control(f"a{c}b") for c in ("\x00", "\x1b", "\x7f")] == [
        "U+0000",
        "U+001B",
        "U+007F",
    ]


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=tainted, field=st.sampled_from(["email", "name", "password"]))
def test_forms_refuse_control_characters_with_a_400(app, client, text, field):
    cards(app, make_card("x", "someone"))
    forms = {
        "/signup": {"name": "Jane", "email": "j@example.org", "password": "a" * 12},
        "/signin": {"email": "j@example.org", "password": "a" * 12},
        "/reset": {"email": "j@example.org"},
        "/report/x/someone": {"reason": "the figures are wrong", "contact": "me@example.org"},
    }
    for path, data in forms.items():
        key = field if field in data else next(iter(data))
        data = data | {
            key: text,
            "confirm": data.get("password", ""),
            "csrf_token": _csrf(client, path),
        }
        answer = client.post(path, data=data)
        assert answer.status_code == 400, (path, key, answer.status_code)
        assert "control character U+" in answer.text


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=tainted, field=st.sampled_from(["reason", "contact"]))
def test_api_refuses_control_characters_with_a_problem(client, text, field):
    body = {
        "account": {"platform": "x", "handle": "someone"},
        "reason": "the figures are wrong",
        "contact": "me@example.org",
    } | {field: text}
    answer = client.post("/api/v1/disputes", json=body)
    assert answer.status_code == 400 and answer.mimetype == "application/problem+json"
    assert answer.json["code"] == "control_character" and answer.json["where"] == field
    lookup = client.get("/api/v1/badges/x/a%00b")
    assert lookup.status_code == 400 and lookup.json["where"] == "path"


_JSON_VALUES = st.recursive(
    st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _has_control(value) -> bool:
    if isinstance(value, str):
        return find_control(value) is not None
    if isinstance(value, dict):
        return any(_has_control(k) or _has_control(v) for k, v in value.items())
    return any(_has_control(item) for item in value)


@settings(max_examples=400)
@given(value=_JSON_VALUES | st.sampled_from(REFUSED), ascii_only=st.booleans())
def test_the_raw_json_prefilter_never_misses_a_control_character(value, ascii_only):
    """The lookup fast path skips walking a JSON body whose raw bytes cannot hold a refused
    character: whatever a client encodes, a body that decodes to one is always walked."""
    import json

    from genuine.controls import _MAYBE_IN_JSON

    raw = json.dumps(value, ensure_ascii=ascii_only).encode()
    if _has_control(value):
        assert _MAYBE_IN_JSON.search(raw)


def test_query_parameters_are_checked_names_and_values(client):
    for query, where in (("note=a%01b", "note"), ("a%7Fb=1", "a\x7fb"), ("x=1&y=%00", "y")):
        answer = client.get(f"/api/v1/meta?{query}")
        assert answer.status_code == 400, query
        assert answer.json["code"] == "control_character" and answer.json["where"] == where
    assert client.get("/api/v1/meta?note=plain").status_code == 200
