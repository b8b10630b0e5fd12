"""signals/ruff.toml refuses Flask and database imports inside genuine.signals.

Each case is linted as if it were a file in server/genuine/signals (ruff resolves the
nested config from --stdin-filename), so nothing is written into the source tree.
"""

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PROBE = REPO / "server" / "genuine" / "signals" / "lint_probe.py"


def _ruff(source: str, path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--stdin-filename", str(path), "-"],
        input=source,
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )


@pytest.mark.parametrize(
    "line",
    [
        "import flask",
        "from flask import current_app",
        "import sqlalchemy as sa",
        "from sqlmodel import Session",
        "from genuine.db import get_db",
        "from genuine import db",
    ],
)
def test_signals_refuse_web_and_database_imports(line):
    result = _ruff(f"{line}\n\n__all__ = [{line.split()[-1]!r}]\n", PROBE)
    assert result.returncode == 1
    assert "TID251" in result.stdout, result.stdout + result.stderr


def test_the_rule_is_only_for_signals_and_pure_code_passes():
    pure = "import numpy as np\n\n__all__ = ['np']\n"
    assert _ruff(pure, PROBE).returncode == 0
    outside = REPO / "server" / "genuine" / "cards" / "lint_probe.py"
    assert _ruff("import sqlalchemy as sa\n\n__all__ = ['sa']\n", outside).returncode == 0
