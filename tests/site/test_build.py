"""The site builds with `mkdocs build --strict` from a directory export of 0, 1 and 1,000
consultants, has no broken internal links, indexes every consultant for search, renders
hostile strings as inert text, and refuses bad data naming the entry."""

from __future__ import annotations

import copy
import json

import pytest

from tests.site.fixtures import PAYLOAD, consultant, directory, hostile
from tests.site.helpers import Page as _Fragment
from tests.site.helpers import broken_links, build, parse, search_locations

SECTIONS = ["directory", "guides", "methodology", "api", "self-hosting", "get-listed"]


def _built(tmp_path_factory, name, data):
    tmp = tmp_path_factory.mktemp(name)
    result = build(tmp, data)
    assert result.returncode == 0, result.stderr
    return tmp / "out"


@pytest.fixture(scope="module")
def empty_site(tmp_path_factory):
    return _built(tmp_path_factory, "empty", directory(0))


@pytest.fixture(scope="module")
def small_site(tmp_path_factory):
    data = directory(1)
    data["consultants"].append(hostile(1))
    return _built(tmp_path_factory, "small", data)


def test_empty_directory_builds_every_section(empty_site):
    for section in SECTIONS:
        assert (empty_site / section / "index.html").is_file(), section
    listing = (empty_site / "directory" / "index.html").read_text(encoding="utf-8")
    assert 'id="genuine-empty"' in listing
    assert broken_links(empty_site) == []


def test_one_consultant_page_and_listing(small_site):
    page = (small_site / "directory" / "consultant-0000" / "index.html").read_text("utf-8")
    for text in (
        "Consultant 0000",
        "Low risk of bought followers",
        "Answers some people",
        "Not in a follow-back ring",
        "Case studies checked with the clients.",
        "23 November 2026",
        "https://example.org/consultant-0000",
        "<svg",
        "Ownership verified on",
        "20 November 2026",
        "Ownership not verified",
    ):
        assert text in page, text
    listing = (small_site / "directory" / "index.html").read_text("utf-8")
    assert 'href="consultant-0000/"' in listing
    assert broken_links(small_site) == []


def test_search_index_holds_consultants(small_site):
    locations = search_locations(small_site)
    assert locations["directory/consultant-0000/"] == "Consultant 0000"
    assert "directory/hostile/" in locations


def test_hostile_strings_are_inert(small_site):
    """Payloads in every field come out as text: no script, handler, iframe or javascript:
    URL of theirs reaches the DOM, and the search index holds them escaped."""
    out = small_site
    page = parse(out / "directory" / "hostile" / "index.html")
    listing = parse(out / "directory" / "index.html")
    tags = parse(out / "directory" / "tags" / "index.html")
    for parsed in (page, listing, tags):
        for tag, attributes in parsed.tags:
            assert tag not in ("iframe", "img", "object", "embed"), (tag, attributes)
            if tag == "script":
                assert (
                    attributes.get("src")
                    or attributes.get("type") == "application/json"
                    or (not attributes)
                ), attributes
            for key, value in attributes.items():
                assert not key.startswith("on"), (tag, key, value)
                if key in ("href", "src", "action", "formaction", "xlink:href"):
                    assert not (value or "").strip().lower().startswith(("javascript:", "data:"))
    html = (out / "directory" / "hostile" / "index.html").read_text("utf-8")
    assert "alert(&#34;x&#34;)" in html or "alert(&quot;x&quot;)" in html  # shown, as text
    assert PAYLOAD not in html
    # Inline scripts on the page: only Material's own, none containing the payload.
    assert html.count("<script") == html.count("<script>") + html.count("<script src=") + 1
    assert 'alert("x")</script>' not in html
    raw = (out / "search" / "search_index.json").read_text("utf-8")
    for doc in json.loads(raw)["docs"]:
        # Material's search renders titles and texts as HTML: they must hold no live markup.
        for field in ("title", "text"):
            fragment = _Fragment()
            fragment.feed(doc[field])
            for tag, attributes in fragment.tags:
                assert tag not in ("script", "img", "iframe", "a", "svg"), (doc["location"], tag)
                assert not any(k.startswith("on") for k in attributes), (doc["location"], tag)


def test_thousand_consultants(tmp_path_factory):
    out = _built(tmp_path_factory, "thousand", directory(1000))
    locations = search_locations(out)
    assert sum(loc.startswith("directory/consultant-") for loc in locations) == 1000
    listing = (out / "directory" / "index.html").read_text("utf-8")
    assert listing.count('class="genuine-entry"') == 1000
    assert broken_links(out) == []


def _bad(mutate):
    data = directory(3)
    mutate(data["consultants"][1])
    return data


BAD = {
    "missing name": (lambda c: c.pop("name"), "missing required field 'name'"),
    "javascript website": (
        lambda c: c.update(website="javascript:alert(1)"),
        "website: 'javascript:alert(1)' is not an http(s) URL",
    ),
    "data case study": (
        lambda c: c["case_studies"][0].update(url="data:text/html,<b>x</b>"),
        "case_studies[0].url",
    ),
    "bad report url": (
        lambda c: c["accounts"][0]["card"].update(report_url="JavaScript:alert(1)"),
        "accounts[0].card.report_url",
    ),
    "bad level": (
        lambda c: c["accounts"][0]["card"]["badges"]["reply_rate"].update(level="great"),
        "reply_rate.level must be one of",
    ),
    "bad slug": (lambda c: c.update(slug="../escape"), "slug '../escape'"),
    "bad date": (lambda c: c.update(published_at="yesterday"), "published_at: 'yesterday'"),
    "services not a list": (lambda c: c.update(services="seo"), "services must be a list"),
    "bad ownership": (
        lambda c: c["accounts"][0]["ownership"].update(status="<b>trusted</b>"),
        "accounts[0].ownership.status must be one of",
    ),
    "verified without a check": (
        lambda c: c["accounts"][0]["ownership"].update(checked_at=None),
        "accounts[0].ownership.checked_at is required when verified",
    ),
    "ownership verified flag": (
        lambda c: c["accounts"][1]["ownership"].update(verified=True),
        "accounts[1].ownership.verified must match its status",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_data_fails_naming_the_entry(tmp_path, case):
    mutate, message = BAD[case]
    result = build(tmp_path, _bad(mutate))
    assert result.returncode != 0
    assert "consultants[1]" in result.stderr, result.stderr
    assert message in result.stderr, result.stderr


def test_duplicate_slug_fails(tmp_path):
    data = directory(2)
    data["consultants"].append(copy.deepcopy(consultant(0)))
    result = build(tmp_path, data)
    assert result.returncode != 0
    assert "consultants[2] (slug 'consultant-0000'): duplicate slug" in result.stderr


@pytest.mark.parametrize(
    ("text", "message"),
    [("{not json", "is not readable JSON"), ('{"consultants": 3}', "a 'consultants' list")],
)
def test_unreadable_export_fails(tmp_path, text, message):
    result = build(tmp_path, text)
    assert result.returncode != 0
    assert message in result.stderr
