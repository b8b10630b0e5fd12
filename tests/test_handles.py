"""genuine.handles on a shared table of cases (tests/handles_cases.json): the stored form of
a handle read from a file or a page, or why no lookup could ever find it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from genuine.handles import check, normalise, parse, refusal

CASES = json.loads((Path(__file__).parent / "handles_cases.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['platform']}:{c['text']!r}")
def test_parse_and_refusal(case):
    got = parse(case["platform"], case["text"])
    assert got == case.get("stored")
    assert refusal(case["platform"], case["text"]) == case.get("refused")
    if got is not None:
        assert normalise(case["text"]) == got
        assert check(case["platform"], got) == got  # a stored handle is a valid typed one
