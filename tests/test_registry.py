"""Everything registered the way an outside contributor would add it is tested and documented.

A new format, live source, signal, command family, API blueprint or setting is one file plus one
line in a registry; these tests fail when that one file has no test or no documentation.
"""

import ast
import datetime as dt
import importlib
from pathlib import Path

import pytest

from genuine.api import BLUEPRINTS as API_BLUEPRINTS
from genuine.cards import build
from genuine.cli import COMMAND_MODULES, cli
from genuine.formats import FORMATS
from genuine.signals import SIGNALS
from genuine.sources import SOURCES
from genuine.web import BLUEPRINTS as WEB_BLUEPRINTS

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_has_tests_and_is_documented(name):
    module = FORMATS[name].__module__.rsplit(".", 1)[1]
    assert (REPO / "tests" / "formats" / f"test_{module}.py").is_file()
    assert f"`{name}`" in README, f"format {name!r} is not in the README's format table"


@pytest.mark.parametrize("platform", sorted(SOURCES))
def test_every_live_source_has_tests_and_is_documented(platform):
    assert (REPO / "tests" / "sources" / f"test_{platform}.py").is_file()
    notes = (REPO / "docs-notes" / "sources.md").read_text(encoding="utf-8")
    assert platform.capitalize() in notes or platform.upper() in notes


SIGNALS_DIR = REPO / "server" / "genuine" / "signals"
METHODOLOGY = REPO / "site" / "docs" / "methodology"


@pytest.mark.parametrize("badge", sorted(SIGNALS))
def test_every_signal_has_tests_a_card_section_and_a_methodology_page(badge):
    signal = SIGNALS[badge]
    module = importlib.import_module(f"genuine.signals.{signal.module}")
    assert callable(getattr(module, signal.function, None)), f"{signal.function} missing"
    assert "def to_card(self)" in Path(module.__file__).read_text(encoding="utf-8")
    assert (REPO / "tests" / "signals" / f"test_{signal.module}.py").is_file()
    assert (METHODOLOGY / signal.page).is_file()
    index = (METHODOLOGY / "index.md").read_text(encoding="utf-8")
    assert f"]({signal.page})" in index, f"{signal.page} is not linked from the methodology index"
    for part in signal.parts:
        assert (SIGNALS_DIR / f"{part}.py").is_file(), f"{badge}: no signals/{part}.py"


def test_every_signals_module_is_a_registered_signal_or_one_of_its_parts():
    registered = {s.module for s in SIGNALS.values()}
    registered |= {p for s in SIGNALS.values() for p in s.parts}
    modules = {p.stem for p in SIGNALS_DIR.glob("*.py")} - {"__init__"}
    assert modules == registered, f"not in SIGNALS: {modules - registered}"


def test_cards_carry_the_registered_badges_in_registry_order():
    sections = {b: {"level": "unknown"} for b in reversed(list(SIGNALS))}
    made = build.card(
        "x",
        "a",
        dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        badges=sections,
        version="v",
        public_url="https://g.example",
    )
    assert list(made["badges"]) == list(SIGNALS)
    with pytest.raises(ValueError):
        build.card(
            "x",
            "a",
            dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            badges={},
            version="v",
            public_url="https://g.example",
        )


def _tests_named(short: str) -> list[Path]:
    return list((REPO / "tests").rglob(f"test_{short}*.py"))


@pytest.mark.parametrize("name", COMMAND_MODULES)
def test_every_command_family_has_tests_and_help(name):
    module = importlib.import_module(name)
    short = name.rsplit(".", 1)[1]
    assert _tests_named(short), f"no tests/**/test_{short}*.py for {name}"
    for command in module.commands:
        assert command.help or command.callback.__doc__, f"{command.name} has no help"
        assert cli.get_command(None, command.name) is command


@pytest.mark.parametrize("name", API_BLUEPRINTS + WEB_BLUEPRINTS)
def test_every_blueprint_has_tests(name):
    short = name.rsplit(".", 1)[1]
    assert _tests_named(short), f"no tests/**/test_{short}*.py for {name}"


def _settings() -> list[tuple[str, bool]]:
    """(name, explained) for every setting in genuine/config.py: a comment stands above it,
    or above the settings right before it that it is grouped with (no blank line between)."""
    source = (REPO / "server" / "genuine" / "config.py").read_text(encoding="utf-8")
    lines = source.splitlines()
    found = []
    for node in ast.parse(source).body:
        targets = [node.target] if isinstance(node, ast.AnnAssign) else getattr(node, "targets", [])
        for target in targets:
            if isinstance(target, ast.Name) and target.id.isupper():
                row = node.lineno - 2
                while row >= 0 and lines[row].strip() and not lines[row].startswith("#"):
                    row -= 1
                found.append((target.id, row >= 0 and lines[row].startswith("#")))
    return found


def test_every_setting_is_explained_where_it_is_defined():
    """The site's self-hosting page lists settings with these comments (site/hooks)."""
    missing = [name for name, commented in _settings() if not commented]
    assert not missing, f"settings without a comment above them in config.py: {missing}"
