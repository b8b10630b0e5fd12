"""The one rule for control characters in what people send: refused at the edge.

C0 control characters (U+0000 to U+001F) other than tab, newline and carriage return
(browsers send a textarea's newlines as CR LF) and DEL are refused in every form field,
query parameter, path segment and JSON string, before any view runs: 400 with the field
named (problem+json under the API, XRPC's `{error, message}` under `/xrpc/`, a plain page
elsewhere). PostgreSQL cannot store NUL in text at all, and no name, e-mail or reason needs
the others.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from flask import Flask, jsonify, request
from werkzeug.exceptions import BadRequest

from genuine.problems import PREFIX, problem_response

_REFUSED = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
CONTROL = re.compile(f"[{_REFUSED}]")
# The same rule as JSON Schema patterns, for the OpenAPI document (genuine.api._finish, schemas).
PLAIN = f"^[^{_REFUSED}]*$"
PLAIN_NOT_BLANK = f"^[^{_REFUSED}]*[^\\s{_REFUSED}][^{_REFUSED}]*$"


# In a JSON body a refused character can only appear raw or as an escape (\b, \f, \u00XX):
# when the raw bytes hold neither, no decoded string can hold one, and the walk over the
# parsed body is skipped (it was a fifth of a lookup's server time, bench/lookup_profile.py).
# A hit only means "walk the body and name the field".
_MAYBE_IN_JSON = re.compile(
    rb"\\[bf]|\\u00[01][0-9a-fA-F]|\\u007[fF]|[" + _REFUSED.encode() + rb"]"
)

# Every byte but the refused ones and the backslash. A body of these alone (nearly every
# one) holds no refused character, raw or escaped, and `bytes.translate` finds that out
# in about 1 µs for a 2 KB lookup, where the pattern above takes 28 µs.
_HARMLESS = bytes(b for b in range(256) if b != ord("\\") and not CONTROL.match(chr(b)))


def find_control(text: str) -> str | None:
    """The first refused character of `text` as U+XXXX, or None."""
    found = CONTROL.search(text)
    return f"U+{ord(found.group()):04X}" if found else None


def _strings(value: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield f"{where}.{key}" if where else str(key), str(key)
            yield from _strings(item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{where}[{index}]")


def _inputs() -> Iterator[tuple[str, str]]:
    sent = request._get_current_object()  # one proxy lookup, not one per attribute
    yield "path", sent.path
    if sent.query_string:  # else no argument to parse (every badge read)
        for key, value in sent.args.items(multi=True):
            yield key, key
            yield key, value
    if sent.method in ("POST", "PUT", "PATCH", "DELETE"):
        if sent.is_json:
            data = sent.get_data(cache=True)
            if data.translate(None, _HARMLESS) and _MAYBE_IN_JSON.search(data):
                yield from _strings(sent.get_json(silent=True), "")
        else:
            for key, value in sent.form.items(multi=True):
                yield key, key
                yield key, value


def refuse_controls() -> Any:
    for where, text in _inputs():
        character = find_control(text)
        if character:
            detail = (
                f"{where or 'the body'} contains the control character {character}, "
                "which nothing here accepts: remove it and send again"
            )

            if request.path.startswith(PREFIX):
                return problem_response(400, "control_character", detail, where=where)
            if request.path.startswith("/xrpc/"):  # the labeler's XRPC error shape
                return jsonify(error="InvalidRequest", message=detail), 400
            return BadRequest(description=detail[0].upper() + detail[1:] + ".").get_response()
    return None


def init_app(app: Flask) -> None:
    # First of all before_request functions: nothing reads a refused value.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_controls)
