"""The published consultant directory, in the export contract's shape (docs-notes/HELPERS.md).

Every string except `bio_html` is the consultant's own plain text: consumers must escape it.
`bio_html` was rendered from Markdown and sanitised with nh3 when it was saved.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from flask import Blueprint, current_app, jsonify
from pydantic import BaseModel, Field
from spectree import Response as Responses

from genuine.api import spec
from genuine.api.schemas import Card
from genuine.db import get_db
from genuine.directory.export import document

bp = Blueprint("consultants", __name__)


class Ownership(BaseModel):
    status: Literal["verified", "unverified", "unverifiable"] = Field(
        description="verified: the account showed the consultant's code in its bio when last "
        "fetched; unverified: not checked yet or code missing; unverifiable: no live source "
        "for the platform, so nobody can show who controls it"
    )
    verified: bool
    checked_at: datetime | None = Field(description="The latest check, or null")


class ConsultantAccount(BaseModel):
    platform: str
    handle: str
    card: Card | None = Field(description="The account's current badge card, or null")
    ownership: Ownership = Field(description="Whether the consultant proved they control it")


class CaseStudy(BaseModel):
    title: str
    summary: str
    url: str | None


class ReviewSummary(BaseModel):
    reviewers: int = Field(description="Reviewers whose approval published the profile")
    approved_at: datetime | None
    summary: str


class Consultant(BaseModel):
    slug: str
    name: str
    headline: str
    bio_html: str = Field(description="Sanitised HTML (nh3); safe to insert as markup")
    services: list[str]
    regions: list[str]
    languages: list[str]
    website: str | None
    accounts: list[ConsultantAccount]
    case_studies: list[CaseStudy]
    review: ReviewSummary
    last_audit: datetime | None = Field(description="Newest computation time of the cards")
    published_at: datetime | None


class ConsultantList(BaseModel):
    generated_at: datetime
    synthetic: bool
    consultants: list[Consultant]


@bp.get("/consultants")
@spec.validate(resp=Responses(HTTP_200=ConsultantList), tags=["directory"], skip_validation=True)
def listing():
    """Published consultant profiles only, oldest publication first."""
    with get_db().session() as session:
        body = document(session, synthetic=bool(current_app.config["SYNTHETIC_DATA"]))
    return jsonify(body)
