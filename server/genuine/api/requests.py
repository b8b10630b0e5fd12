"""Reading request bodies: JSON only, validated by the same models the OpenAPI document shows."""

from __future__ import annotations

from typing import TypeVar

from flask import request
from pydantic import BaseModel, ValidationError

from genuine.problems import Problem

M = TypeVar("M", bound=BaseModel)


def _where(error: dict) -> str:
    return ".".join(str(part) for part in error["loc"]) or "body"


def parse_json(model: type[M]) -> M:
    """The request body as `model`, or a 415/400 problem that says what is wrong and where."""
    if not request.is_json:
        raise Problem(
            415,
            "unsupported_media_type",
            f"send the body as application/json (got {request.mimetype or 'no content type'})",
        )
    try:
        return model.model_validate_json(request.get_data(cache=True))
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_context=False, include_input=False)
        if errors and errors[0]["type"] == "json_invalid":
            raise Problem(400, "invalid_json", "the body is not valid JSON") from None
        detail = "; ".join(f"{_where(e)}: {e['msg']}" for e in errors[:5])
        raise Problem(
            400,
            "invalid_body",
            detail,
            errors=[{"where": _where(e), "message": e["msg"]} for e in errors[:20]],
        ) from None
