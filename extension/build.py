#!/usr/bin/env python3
"""Package the extension: dist/genuine-chrome.zip and dist/genuine-firefox.zip (stdlib only).

The Chrome zip is extension/ as it is. The Firefox zip takes the same files with a manifest that
adds what Firefox needs: `background.scripts` (Firefox runs MV3 backgrounds as event pages, not
service workers) and `browser_specific_settings.gecko` with an id and the built-in data
collection consent (`data_collection_permissions`). Genuine's choice, documented in
docs-notes/extension.md: nothing is required ("none": in the default private mode only hash
prefixes leave the browser, shared by many accounts), and "websiteContent" is optional, asked
for when the user turns private mode off or sets an API key for audits, because then the
handles shown on the page go to the server the user chose.

Usage: python extension/build.py [--out DIR]   (default: dist/ at the repository root)
"""

from __future__ import annotations

import argparse
import json
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIREFOX_ID = "genuine@genuine.invalid"
FIREFOX_MIN_VERSION = "142.0"  # data_collection_permissions: Firefox 140 desktop, 142 Android
# Files that belong to the source tree but not to the package.
EXCLUDE_DIRS = {"node_modules", "__pycache__", ".web-ext-artifacts"}
EXCLUDE_FILES = {"build.py", "package.json", "package-lock.json"}


def source_files() -> list[Path]:
    """Every file that goes into the zip, in a stable order (so builds are reproducible)."""
    files = []
    for path in sorted(HERE.rglob("*")):
        rel = path.relative_to(HERE)
        if not path.is_file() or rel.parts[0] in EXCLUDE_DIRS or path.name in EXCLUDE_FILES:
            continue
        if any(part.startswith(".") for part in rel.parts):
            continue
        if rel.as_posix() == "manifest.json":
            continue
        files.append(path)
    return files


def chrome_manifest() -> dict:
    return json.loads((HERE / "manifest.json").read_text(encoding="utf-8"))


def firefox_manifest() -> dict:
    """The Chrome manifest plus what Firefox needs (and minus what it rejects)."""
    m = chrome_manifest()
    worker = m["background"]["service_worker"]
    m["background"] = {"scripts": [worker], "type": "module"}
    m["browser_specific_settings"] = {
        "gecko": {
            "id": FIREFOX_ID,
            "strict_min_version": FIREFOX_MIN_VERSION,
            "data_collection_permissions": {"required": ["none"], "optional": ["websiteContent"]},
        },
        "gecko_android": {"strict_min_version": FIREFOX_MIN_VERSION},
    }
    return m


def write_zip(target: Path, manifest: dict) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    fixed_time = (2020, 1, 1, 0, 0, 0)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        info = zipfile.ZipInfo("manifest.json", fixed_time)
        info.compress_type = zipfile.ZIP_DEFLATED
        zf.writestr(info, json.dumps(manifest, indent=2) + "\n")
        for path in source_files():
            info = zipfile.ZipInfo(path.relative_to(HERE).as_posix(), fixed_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, path.read_bytes())
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE.parent / "dist")
    args = parser.parse_args(argv)
    for name, manifest in (("chrome", chrome_manifest()), ("firefox", firefox_manifest())):
        path = write_zip(args.out / f"genuine-{name}.zip", manifest)
        print(f"wrote {path} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
