"""The house rules of docs-notes/architecture.md, checked on the import graph by import-linter.

The contracts live in pyproject.toml ([tool.importlinter]): no import cycles anywhere (grimp
reads imports inside functions too, so none can dodge a circle), api/web/directory reach the
audit pipeline only through `genuine.pipeline`, the pipeline never imports presentation or the
directory, and signals stay free of Flask and the database. The second test proves the check
can fail: one forbidden import, planted in a copy of the package, breaks two contracts.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT = Path(sys.executable).with_name("lint-imports")


def lint(package_parent: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(package_parent))
    return subprocess.run(
        [str(LINT), "--no-cache", str(ROOT / "pyproject.toml")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_package_keeps_every_contract():
    result = lint(ROOT / "server")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_planted_import_breaks_the_contracts(tmp_path):
    copy = tmp_path / "genuine"
    shutil.copytree(ROOT / "server" / "genuine", copy, ignore=shutil.ignore_patterns("__pycache__"))
    audits = copy / "pipeline" / "audits.py"
    # An import inside a function, the old way of dodging a circle: it must still count.
    audits.write_text(
        audits.read_text() + "\n\ndef _dodge():\n    from genuine.directory import workflow\n"
    )
    result = lint(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    assert "No import cycles anywhere in the package (in-function imports count) BROKEN" in out
    assert "The pipeline never reaches up into presentation or the directory BROKEN" in out
    assert "Signals stay pure: no web framework, database or store KEPT" in out
