"""The extension's two copies of the handle rule equal genuine.handles.parse on one table."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from tests.conftest import skip_or_fail

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "tests" / "handles_cases.json"
SCRIPT = """
import fs from "node:fs";
import vm from "node:vm";
import { normaliseHandle } from "%(lib)s";
const cases = JSON.parse(fs.readFileSync(%(cases)s, "utf8"));
const context = vm.createContext({});
vm.runInContext(fs.readFileSync(%(core)s, "utf8"), context);
const core = context.Genuine.core.normaliseHandle;
const both = (c) => [normaliseHandle(c.platform, c.input), core(c.platform, c.input)];
console.log(JSON.stringify(cases.map(both)));
"""


def test_extension_copies_follow_the_table():
    node = shutil.which("node")
    if node is None:
        skip_or_fail("node not found (apt-get install nodejs)", "GENUINE_REQUIRE_BROWSER")
    script = SCRIPT % {
        "lib": (ROOT / "extension" / "lib" / "accounts.js").as_uri(),
        "cases": json.dumps(str(CASES)),
        "core": json.dumps(str(ROOT / "extension" / "content" / "core.js")),
    }
    out = subprocess.run(
        [node, "--input-type=module", "-e", script], capture_output=True, text=True, check=True
    )
    answers = json.loads(out.stdout)
    cases = json.loads(CASES.read_text("utf-8"))
    for case, (lib, core) in zip(cases, answers, strict=True):
        expected = case["expected"] or ""
        assert (lib, core) == (expected, expected), case
