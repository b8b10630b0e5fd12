"""genuine.handles on the table of cases the extension's copies are also tested on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from genuine import handles

CASES = json.loads((Path(__file__).parent / "handles_cases.json").read_text("utf-8"))


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['platform']}:{c['input'][:20]}")
def test_parse_follows_the_table(case):
    assert handles.parse(case["platform"], case["input"]) == case["expected"]
    reason = handles.refusal(case["platform"], case["input"])
    assert (reason is None) == (case["expected"] is not None)


def test_check_is_the_api_rule_and_parse_agrees_on_stored_handles():
    assert handles.check("x", "@Jack") == "jack"
    assert handles.check("x", " jack") is None  # the API takes no blanks
    for case in CASES:
        if case["expected"] is not None:
            assert handles.check(case["platform"], case["expected"]) == case["expected"]
            assert handles.normalise(case["input"]) == case["expected"]


@pytest.mark.parametrize(
    ("platform", "text", "reason"),
    [
        ("x", "@", "holds no handle"),
        ("x", "a b", "holds a space"),
        ("x", "<b>", "holds HTML"),
        ("mastodon", "gargron", "has no instance"),
        ("x", "a" * 16, "longer than 15"),
        ("mastodon", "a@" + "b." * 150 + "org", "longer than 255"),
        ("bluesky", "alice", "not a Bluesky handle"),
    ],
)
def test_refusal_says_why(platform, text, reason):
    assert reason in handles.refusal(platform, text)
