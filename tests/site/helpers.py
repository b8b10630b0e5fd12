"""Build the site for a test and check what came out: a real `mkdocs build --strict` in a
subprocess (the hooks keep module state, so each build gets a fresh interpreter), and a
link check over the built HTML."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "site" / "mkdocs.yml"


def build(tmp: Path, data: dict[str, Any] | str | None) -> subprocess.CompletedProcess:
    """Write `data` as the directory export (a str is written as is) and build into tmp/out."""
    export = tmp / "directory.json"
    export.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    env = {**os.environ, "GENUINE_DIRECTORY_JSON": str(export), "NO_MKDOCS_2_WARNING": "1"}
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-q"]
    command += ["-f", str(CONFIG), "-d", str(tmp / "out")]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if attributes.get("id"):
            self.ids.add(attributes["id"])
        for key in ("href", "src"):
            if attributes.get(key) and tag in ("a", "link", "script", "img", "source"):
                self.links.append(attributes[key])


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def broken_links(out: Path) -> list[str]:
    """Every internal href/src in the built HTML whose file, or whose #fragment, is missing."""
    # 404.html is served at any depth, so Material gives it root-absolute links.
    pages = {path: parse(path) for path in out.rglob("*.html")}
    checked = [path for path in pages if path.name != "404.html" or path.parent != out]
    problems = []
    for path in checked:
        page = pages[path]
        for link in page.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith(("mailto:", "data:")):
                continue
            target = path if not parts.path else (path.parent / unquote(parts.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                problems.append(f"{path.relative_to(out)}: {link} (no file)")
                continue
            fragment = unquote(parts.fragment)
            known = target not in pages or fragment in pages[target].ids
            if fragment and not known and not fragment.startswith("__"):
                problems.append(f"{path.relative_to(out)}: {link} (no anchor)")
    return problems


def search_locations(out: Path) -> dict[str, str]:
    """location -> title of every page in the search index."""
    index = json.loads((out / "search" / "search_index.json").read_text(encoding="utf-8"))
    return {doc["location"]: doc["title"] for doc in index["docs"] if "#" not in doc["location"]}
