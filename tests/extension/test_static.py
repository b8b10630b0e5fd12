"""The extension's files without a browser: manifest, site registry, safety rules, packaging."""

from __future__ import annotations

import importlib.util
import json
import re
import zipfile

import pytest

from tests.extension.harness import EXTENSION, PAGES, SITE_HOSTS
from tests.extension.test_sites import SITES

MANIFEST = json.loads((EXTENSION / "manifest.json").read_text("utf-8"))
ADAPTERS = sorted(p.stem for p in (EXTENSION / "content" / "sites").glob("*.js"))
# Chrome's match pattern grammar: <scheme>://<host>/<path>, host "*", "*.suffix" or exact.
MATCH_PATTERN = re.compile(r"^(https?|\*)://(\*|(\*\.)?[a-z0-9.-]+)(:\d+)?/.*$")
SOURCES = [
    p
    for p in EXTENSION.rglob("*")
    if p.is_file() and "node_modules" not in p.parts and p.suffix in {".js", ".html", ".json"}
]


def adapter_field(site: str, name: str):
    text = (EXTENSION / "content" / "sites" / f"{site}.js").read_text("utf-8")
    if name == "matches":
        m = re.search(r"matches:\s*\[([^\]]*)\]", text)
        return re.findall(r'"([^"]+)"', m.group(1))
    return re.search(rf'^\s*{name}:\s*"([^"]+)"', text, re.M).group(1)


def test_manifest_has_the_required_mv3_fields():
    m = MANIFEST
    assert m["manifest_version"] == 3
    assert m["name"] and m["description"] and len(m["description"]) <= 132
    assert re.fullmatch(r"\d+(\.\d+){0,3}", m["version"])
    assert m["background"] == {"service_worker": "background/service-worker.js", "type": "module"}
    assert (EXTENSION / m["background"]["service_worker"]).is_file()
    assert (EXTENSION / m["action"]["default_popup"]).is_file()
    assert (EXTENSION / m["options_ui"]["page"]).is_file()
    for icon in [*m["icons"].values(), *m["action"]["default_icon"].values()]:
        assert (EXTENSION / icon).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # Least privilege: no tabs/history/webRequest; only loopback is reachable without asking.
    assert set(m["permissions"]) == {"storage", "scripting"}
    assert m["host_permissions"] == ["http://127.0.0.1/*", "http://localhost/*"]
    assert "web_accessible_resources" not in m
    assert "http" not in m["content_security_policy"]["extension_pages"]
    for entry in m["content_scripts"]:
        for path in entry["js"]:
            assert (EXTENSION / path).is_file(), path


@pytest.mark.parametrize("site", ADAPTERS)
def test_every_adapter_is_registered_tested_and_has_valid_patterns(site):
    assert adapter_field(site, "id") == site
    entries = [e for e in MANIFEST["content_scripts"] if f"content/sites/{site}.js" in e["js"]]
    assert len(entries) == 1, f"{site} must have exactly one content_scripts entry"
    entry = entries[0]
    assert entry["js"] == [
        "content/core.js",
        "content/render.js",
        f"content/sites/{site}.js",
        "content/boot.js",
    ]
    assert entry["matches"] == adapter_field(site, "matches")
    for pattern in entry["matches"]:
        assert MATCH_PATTERN.match(pattern), pattern
        assert pattern.startswith("https://")
        assert re.match(r"https://([^/]+)/", pattern).group(1) in SITE_HOSTS
    assert site in SITES, f"tests/extension/test_sites.py has no pages for {site}"
    for kind in ("profile", "timeline"):
        page = (PAGES / f"{site}-{kind}.html").read_text("utf-8")
        assert page.startswith(
            "<!DOCTYPE html>\n<!--\n  Test page for the Genuine extension. Imitates"
        )
    settings = (EXTENSION / "lib" / "settings.js").read_text("utf-8")
    assert re.search(rf"^  {site}: {{ platform: ", settings, re.M), "lib/settings.js SITES"


def test_mastodon_instances_get_the_same_scripts_as_the_manifest():
    worker = (EXTENSION / "background" / "service-worker.js").read_text("utf-8")
    listed = re.search(r"MASTODON_FILES = \[([^\]]*)\]", worker).group(1)
    entry = next(e for e in MANIFEST["content_scripts"] if "content/sites/mastodon.js" in e["js"])
    assert re.findall(r'"([^"]+)"', listed) == entry["js"]


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(EXTENSION)))
def test_no_html_injection_sinks(path):
    text = path.read_text("utf-8")
    for sink in (
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "new Function",
        'setTimeout("',
        "srcdoc",
    ):
        assert sink not in text, f"{sink} in {path.name}"


def test_shadow_roots_are_open():
    text = (EXTENSION / "content" / "render.js").read_text("utf-8")
    modes = re.findall(r"attachShadow\(\{\s*mode:\s*\"(\w+)\"", text)
    assert modes and set(modes) == {"open"}


def _build_module():
    spec = importlib.util.spec_from_file_location("genuine_ext_build", EXTENSION / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_build_writes_chrome_and_firefox_packages(tmp_path, capsys):
    build = _build_module()
    assert build.main(["--out", str(tmp_path)]) == 0
    capsys.readouterr()
    chrome = zipfile.ZipFile(tmp_path / "genuine-chrome.zip")
    firefox = zipfile.ZipFile(tmp_path / "genuine-firefox.zip")
    assert json.loads(chrome.read("manifest.json")) == MANIFEST
    ff = json.loads(firefox.read("manifest.json"))
    assert ff["background"] == {"scripts": ["background/service-worker.js"], "type": "module"}
    gecko = ff["browser_specific_settings"]["gecko"]
    assert gecko["id"] == "genuine@genuine.invalid"
    assert gecko["data_collection_permissions"] == {
        "required": ["none"],
        "optional": ["websiteContent"],
    }
    names = set(chrome.namelist())
    assert names == set(firefox.namelist())
    assert "build.py" not in names and not any("node_modules" in n for n in names)
    for entry in MANIFEST["content_scripts"]:
        assert set(entry["js"]) <= names
    # Reproducible: a second build gives the same bytes.
    first = (tmp_path / "genuine-firefox.zip").read_bytes()
    build.main(["--out", str(tmp_path)])
    capsys.readouterr()
    assert (tmp_path / "genuine-firefox.zip").read_bytes() == first
