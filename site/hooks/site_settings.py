"""MkDocs hook: the table of settings on the self-hosting page, read from
server/genuine/config.py at build time.

Each module-level assignment there is a setting; the comment lines just above it are
its description, and `GENUINE_<NAME>` overrides it. Reading the source (not a copy)
means a setting added to config.py appears on the site at the next build.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import site_render
from mkdocs.exceptions import PluginError

MARKER = "<!-- genuine:settings -->"


def settings(path: Path) -> list[dict[str, str]]:
    """[{name, default, description}] for every UPPER_CASE assignment in `path`."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    found: list[dict[str, str]] = []
    previous_end = -1
    for node in ast.parse(source).body:
        target = node.targets[0] if isinstance(node, ast.Assign) else getattr(node, "target", None)
        if not isinstance(target, ast.Name) or not target.id.isupper() or node.value is None:
            continue
        comments = []
        row = node.lineno - 2
        while row >= 0 and lines[row].lstrip().startswith("#"):
            comments.insert(0, lines[row].lstrip()[1:].strip())
            row -= 1
        # Settings written on consecutive lines under one comment share it.
        shared = found and not comments and previous_end == node.lineno - 1
        description = found[-1]["description"] if shared else " ".join(comments)
        found.append(
            {
                "name": target.id,
                "default": ast.get_source_segment(source, node.value) or "",
                "description": description,
            }
        )
        previous_end = node.end_lineno
    return found


def config_path() -> Path:
    spec = importlib.util.find_spec("genuine.config")
    if spec is None or spec.origin is None:
        raise PluginError("the settings table needs the genuine package (genuine.config)")
    return Path(spec.origin)


def on_page_content(html: str, page, **kwargs) -> str:
    if page.meta.get("genuine") != "settings":
        return html
    rows = [s for s in settings(config_path()) if not s["name"].startswith("DEFAULT_")]
    table = site_render.environment().get_template("settings.html").render(rows=rows)
    if MARKER in html:
        return html.replace(MARKER, table, 1)
    return html + table
