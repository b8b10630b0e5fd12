"""render.js words durations, tones and its compact names as genuine.vocabulary does, on one
table."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from tests.conftest import skip_or_fail

ROOT = Path(__file__).resolve().parents[2]
TABLE = ROOT / "tests" / "vocabulary_cases.json"
SCRIPT = """
const fs = require("node:fs");
const vm = require("node:vm");
const table = JSON.parse(fs.readFileSync(%(table)s, "utf8"));
// render.js listens for Escape on the page's document when loaded; nothing else is touched.
const context = vm.createContext({ document: { addEventListener() {} } });
vm.runInContext(fs.readFileSync(%(render)s, "utf8"), context);
const r = context.Genuine.render;
const out = {
  duration: table.duration.map(([s]) => [s, r.duration(s)]),
  tones: r.TONE,
  compact_titles: r.NAME,
  compact_levels: r.LEVEL_WORDS,
};
console.log(JSON.stringify(out));
"""


def test_render_js_follows_the_table():
    node = shutil.which("node")
    if node is None:
        skip_or_fail("node not found (apt-get install nodejs)", "GENUINE_REQUIRE_BROWSER")
    script = SCRIPT % {
        "table": json.dumps(str(TABLE)),
        "render": json.dumps(str(ROOT / "extension" / "content" / "render.js")),
    }
    out = subprocess.run([node, "-e", script], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == json.loads(TABLE.read_text("utf-8"))
