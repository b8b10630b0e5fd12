"""genuine.vocabulary on the table the extension's copy is tested on too."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from genuine import vocabulary

TABLE = json.loads((Path(__file__).parent / "vocabulary_cases.json").read_text("utf-8"))


@pytest.mark.parametrize(("seconds", "words"), TABLE["duration"])
def test_duration_follows_the_table(seconds, words):
    assert vocabulary.duration(seconds) == words


def test_tones_follow_the_table():
    for badge, tones in TABLE["tones"].items():
        assert {level: vocabulary.TONES[level] for level in tones} == tones
        assert set(tones) | {"unknown"} == set(vocabulary.LEVELS[badge])


def test_report_pages_and_badge_reasons_word_a_duration_alike():
    from genuine.signals import wording

    assert wording.duration is vocabulary.duration
    assert vocabulary.duration(4997) == "83 minutes" and vocabulary.duration(None) == "—"


def test_the_extensions_compact_words_follow_the_table():
    assert TABLE["compact_titles"] == vocabulary.COMPACT_TITLES
    assert TABLE["compact_levels"] == vocabulary.COMPACT_LEVELS
    assert set(vocabulary.COMPACT_TITLES) == set(vocabulary.BADGES)
    assert set(vocabulary.COMPACT_LEVELS) <= set(vocabulary.LEVELS["follow_back_ring"])
