"""MkDocs hook: the API reference, rendered from the app's own OpenAPI document.

The document is read from a real app (`create_app` + its test client), never from a copy
kept by hand, so the reference cannot drift from the code: add an endpoint and the next
`make site` documents it. The page with `genuine: api-reference` in its front matter gets
the rendered reference appended to its hand-written introduction.
"""

from __future__ import annotations

import re
import tempfile
from typing import Any

import site_render
from mkdocs.exceptions import PluginError

METHODS = ("get", "post", "put", "patch", "delete")
_HASH = re.compile(r"\.[0-9a-f]{7}(?=\.|$)")
_STATE: dict[str, Any] = {}


def on_config(config, **kwargs):
    _STATE["document"] = None  # fetched lazily: only the API page needs it
    return config


def openapi_document() -> dict:
    """GET /api/v1/openapi.json from a throwaway app instance."""
    try:
        from genuine import create_app
    except ImportError as exc:
        raise PluginError(f"the API reference needs the genuine package: {exc}") from None
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"INSTANCE_PATH": tmp, "SECRET_KEY": "site"})
        response = app.test_client().get("/api/v1/openapi.json")
        engine = app.extensions.get("genuine.db")
        if engine is not None and hasattr(engine, "engine"):
            engine.engine.dispose()
    if response.status_code != 200:
        raise PluginError(f"/api/v1/openapi.json answered {response.status_code}")
    return response.get_json()


def schema_name(ref: str) -> str:
    """'#/components/schemas/Card.be9f82a.Badge' -> 'Card.Badge' (spectree's hashes dropped)."""
    return _HASH.sub("", ref.rsplit("/", 1)[-1])


def anchor(ref: str) -> str:
    return "schema-" + re.sub(r"[^a-z0-9]+", "-", schema_name(ref).lower()).strip("-")


def describe(schema: dict | None) -> list[tuple[str, str | None]]:
    """A schema as a list of (text, anchor or None) pieces: 'array of ' + link to 'Card'."""
    if not schema:
        return [("any", None)]
    if "$ref" in schema:
        return [(schema_name(schema["$ref"]), anchor(schema["$ref"]))]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            pieces: list[tuple[str, str | None]] = []
            for i, option in enumerate(schema[key]):
                if i:
                    pieces.append((" or " if key != "allOf" else " and ", None))
                pieces.extend(describe(option))
            return pieces
    kind = schema.get("type", "object")
    if kind == "array":
        return [("array of ", None), *describe(schema.get("items"))]
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        return [("map of ", None), *describe(schema["additionalProperties"])]
    text = str(kind)
    if "enum" in schema:
        text += ": " + " | ".join(str(v) for v in schema["enum"])
    if "format" in schema:
        text += f" ({schema['format']})"
    if "pattern" in schema:
        text += f" matching {schema['pattern']}"
    return [(text, None)]


def operations(document: dict) -> list[dict]:
    """Every operation with the bits the template shows, in path order."""
    found = []
    for path, item in sorted(document.get("paths", {}).items()):
        for method in METHODS:
            if method not in item:
                continue
            op = item[method]
            body = op.get("requestBody", {}).get("content", {})
            found.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "id": re.sub(r"[^a-z0-9]+", "-", f"{method} {path}".lower()).strip("-"),
                    "summary": op.get("summary") or "",
                    "description": op.get("description") or "",
                    "parameters": op.get("parameters", []),
                    "body": [(ctype, spec.get("schema")) for ctype, spec in body.items()],
                    "responses": sorted(op.get("responses", {}).items()),
                    "security": bool(op.get("security")),
                }
            )
    return found


def on_page_content(html: str, page, **kwargs) -> str:
    if page.meta.get("genuine") != "api-reference":
        return html
    if _STATE.get("document") is None:
        _STATE["document"] = openapi_document()
    document = _STATE["document"]
    env = site_render.environment()
    env.globals.update(describe=describe, anchor=anchor, schema_name=schema_name)
    schemas = sorted(
        document.get("components", {}).get("schemas", {}).items(),
        key=lambda kv: schema_name(kv[0]),
    )
    return html + env.get_template("api.html").render(
        info=document.get("info", {}),
        openapi=document.get("openapi", ""),
        operations=operations(document),
        schemas=[(f"#/components/schemas/{name}", s) for name, s in schemas],
        security=document.get("components", {}).get("securitySchemes", {}),
    )
